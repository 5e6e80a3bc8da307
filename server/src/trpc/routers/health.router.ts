import { healthOutputSchema, readinessOutputSchema } from "@co/shared";
import { z } from "zod";
import { publicProcedure } from "../procedures.js";
import { router } from "../init.js";

export const healthRouter = router({
  check: publicProcedure
    .meta({ openapi: { method: "GET", path: "/health", tags: ["health"], summary: "Liveness", protect: false } })
    .input(z.void())
    .output(healthOutputSchema)
    .query(({ ctx }) => ctx.deps.services.health.check()),

  ready: publicProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/health/ready",
        tags: ["health"],
        summary: "Readiness per dependency (503 when the database is down)",
        protect: false,
      },
    })
    .input(z.void())
    .output(readinessOutputSchema)
    .query(async ({ ctx }) => {
      const readiness = await ctx.deps.services.health.ready();
      if (readiness.status === "unavailable") ctx.response.status = 503;
      return readiness;
    }),
});
