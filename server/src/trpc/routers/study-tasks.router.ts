import {
  createStudyTasksInputSchema,
  exportRangeSchema,
  listStudyTasksInputSchema,
  reviewDueInputSchema,
  reviewDueOutputSchema,
  studyTaskExportSchema,
  studyTaskIdInputSchema,
  studyTaskListSchema,
  studyTaskPageSchema,
  studyTaskSchema,
  taskEventListSchema,
} from "@co/shared";
import { z } from "zod";
import { authedProcedure } from "../procedures.js";
import { router } from "../init.js";

// Literal paths (`batch`, `next`, `review-due`) come before the `{id}` ones.
export const studyTasksRouter = router({
  createBatch: authedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/study-tasks/batch",
        tags: ["study-tasks"],
        summary: "Schedule tasks on one of the caller's paths (a created event each)",
        description: "404 when the path is not the caller's or a problem does not exist in the path's subject (details.problem_ids).",
      },
    })
    .input(createStudyTasksInputSchema)
    .output(studyTaskListSchema)
    .mutation(({ ctx, input }) => ctx.deps.services.studyTasks.createBatch(ctx.user.id, input)),

  next: authedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/study-tasks/next",
        tags: ["study-tasks"],
        summary: "The earliest scheduled task of the caller's active paths (404 when none)",
      },
    })
    .input(z.void())
    .output(studyTaskSchema)
    .query(({ ctx }) => ctx.deps.services.studyTasks.next(ctx.user.id)),

  reviewDue: authedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/study-tasks/review-due",
        tags: ["study-tasks"],
        summary: "The caller's review items due now, earliest first",
      },
    })
    .input(reviewDueInputSchema)
    .output(reviewDueOutputSchema)
    .query(({ ctx, input }) => ctx.deps.services.studyTasks.reviewDue(ctx.user.id, input.limit)),

  /** REST: `GET /v1/study-tasks/export` is a streaming Express route (JSON or CSV, unbounded). */
  export: authedProcedure
    .input(exportRangeSchema)
    .output(studyTaskExportSchema)
    .query(({ ctx, input }) => ctx.deps.services.studyTasks.export(ctx.user.id, input)),

  list: authedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/study-tasks",
        tags: ["study-tasks"],
        summary: "The caller's tasks, earliest scheduled first, filtered by path, module, status and schedule",
      },
    })
    .input(listStudyTasksInputSchema)
    .output(studyTaskPageSchema)
    .query(({ ctx, input }) => ctx.deps.services.studyTasks.list(ctx.user.id, input)),

  start: authedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/study-tasks/{id}/start",
        tags: ["study-tasks"],
        summary: "scheduled → in_progress (409 from any other status)",
      },
    })
    .input(studyTaskIdInputSchema)
    .output(studyTaskSchema)
    .mutation(({ ctx, input }) => ctx.deps.services.studyTasks.start(ctx.user.id, input.id)),

  skip: authedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/study-tasks/{id}/skip",
        tags: ["study-tasks"],
        summary: "scheduled | in_progress → skipped (409 from any other status)",
      },
    })
    .input(studyTaskIdInputSchema)
    .output(studyTaskSchema)
    .mutation(({ ctx, input }) => ctx.deps.services.studyTasks.skip(ctx.user.id, input.id)),

  events: authedProcedure
    .meta({
      openapi: {
        method: "GET",
        path: "/study-tasks/{id}/events",
        tags: ["study-tasks"],
        summary: "Every event of one of the caller's tasks, chronological",
      },
    })
    .input(studyTaskIdInputSchema)
    .output(taskEventListSchema)
    .query(({ ctx, input }) => ctx.deps.services.studyTasks.events(ctx.user.id, input.id)),
});
