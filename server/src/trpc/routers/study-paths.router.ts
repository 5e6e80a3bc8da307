import {
  createdStudyPathSchema,
  createStudyPathInputSchema,
  currentStudyPathSchema,
  studyPathIdInputSchema,
  studyPathProgressSchema,
} from "@co/shared";
import { z } from "zod";
import { authedProcedure } from "../procedures.js";
import { router } from "../init.js";

// Literal paths (`/study-paths/current`) come before parameterised ones.
export const studyPathsRouter = router({
  create: authedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/study-paths",
        tags: ["study-paths"],
        summary: "Start a study path on a track (initial_tasks: the first n recommended problems, one a day)",
      },
      successStatus: 201,
    })
    .input(createStudyPathInputSchema)
    .output(createdStudyPathSchema)
    .mutation(({ ctx, input }) => ctx.deps.services.studyPaths.create(ctx.user.id, input)),

  current: authedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/study-paths/current",
        tags: ["study-paths"],
        summary: "The caller's newest active path with a progress summary (404 when none)",
      },
    })
    .input(z.void())
    .output(currentStudyPathSchema)
    .query(({ ctx }) => ctx.deps.services.studyPaths.current(ctx.user.id)),

  progress: authedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/study-paths/{id}/progress",
        tags: ["study-paths"],
        summary: "Per module (total, completed, accuracy), counts per status and the track's upcoming reviews",
      },
    })
    .input(studyPathIdInputSchema)
    .output(studyPathProgressSchema)
    .query(({ ctx, input }) => ctx.deps.services.studyPaths.progress(ctx.user.id, input.id)),
});
