import { z } from "zod";

export const healthOutputSchema = z
  .object({
    status: z.literal("healthy"),
    service: z.literal("curriculum-orchestrator"),
  })
  .meta({ id: "Health" });

export const dependencyStatusSchema = z.enum(["ok", "down", "not_configured"]);

export const readinessOutputSchema = z.object({
  status: z.enum(["ready", "degraded", "unavailable"]).describe("unavailable (503) when the database is down; degraded when Redis is"),
  checks: z.record(z.string(), dependencyStatusSchema).describe("Per dependency: database, redis, ..."),
}).meta({ id: "Readiness" });
export type Readiness = z.infer<typeof readinessOutputSchema>;
