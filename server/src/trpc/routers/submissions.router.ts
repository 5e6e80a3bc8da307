import {
  createSubmissionInputSchema,
  idempotencyHeadersSchema,
  listSubmissionsInputSchema,
  submissionIdInputSchema,
  submissionPageSchema,
  submissionResultSchema,
} from "@co/shared";
import { authedProcedure } from "../procedures.js";
import { router } from "../init.js";

export const submissionsRouter = router({
  create: authedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/submissions",
        tags: ["submissions"],
        summary: "Grade a coding or math attempt (honours Idempotency-Key)",
        description:
          "The body is one of two shapes, chosen by `subject`: coding `{language, code}` or math `{expression?, steps?}`. " +
          "`systems` essays are not graded: they answer 400 and belong to the tutor (`POST /v1/tutor/messages`). " +
          "Send `Idempotency-Key` (≤ 255 chars) to make retries safe: the same key and body within 24 h return the first result without evaluating again; the same key with another body answers 409.",
        requestHeaders: idempotencyHeadersSchema,
      },
    })
    .input(createSubmissionInputSchema)
    .output(submissionResultSchema)
    .mutation(({ ctx, input }) => ctx.deps.services.submissions.create(ctx.user.id, input, ctx.idempotencyKey)),

  list: authedProcedure
    .meta({ openapi: { method: "GET", path: "/submissions", tags: ["submissions"], summary: "The caller's submissions, newest first" } })
    .input(listSubmissionsInputSchema)
    .output(submissionPageSchema)
    .query(({ ctx, input }) =>
      ctx.deps.services.submissions.list(ctx.user.id, {
        limit: input.limit,
        ...(input.cursor ? { cursor: input.cursor } : {}),
        ...(input.session_id ? { sessionId: input.session_id } : {}),
        ...(input.problem_id ? { problemId: input.problem_id } : {}),
      }),
    ),

  get: authedProcedure
    .meta({ openapi: { method: "GET", path: "/submissions/{id}", tags: ["submissions"], summary: "One stored result" } })
    .input(submissionIdInputSchema)
    .output(submissionResultSchema)
    .query(({ ctx, input }) => ctx.deps.services.submissions.get(ctx.user.id, input.id)),
});
