import {
  listTracksInputSchema,
  listTracksOutputSchema,
  trackIdInputSchema,
  trackProblemsInputSchema,
  trackProblemsOutputSchema,
  trackSchema,
} from "@co/shared";
import { authedProcedure } from "../procedures.js";
import { router } from "../init.js";

export const tracksRouter = router({
  list: authedProcedure
    .meta({ catalog: true, openapi: { method: "GET", path: "/tracks", tags: ["tracks"], summary: "List tracks, filtered by subject and label" } })
    .input(listTracksInputSchema)
    .output(listTracksOutputSchema)
    .query(({ ctx, input }) => ctx.deps.services.catalog.list(input)),

  get: authedProcedure
    .meta({ catalog: true, openapi: { method: "GET", path: "/tracks/{id}", tags: ["tracks"], summary: "Get a track by uuid or slug" } })
    .input(trackIdInputSchema)
    .output(trackSchema)
    .query(({ ctx, input }) => ctx.deps.services.catalog.get(input.id)),

  problems: authedProcedure
    .meta({
      catalog: true,
      openapi: { method: "GET", path: "/tracks/{id}/problems", tags: ["tracks"], summary: "Public problem summaries of a track, in module order" },
    })
    .input(trackProblemsInputSchema)
    .output(trackProblemsOutputSchema)
    .query(({ ctx, input }) => ctx.deps.services.catalog.problems(input.id, input.module)),
});
