import {
  createSessionInputSchema,
  listSessionsInputSchema,
  sessionIdInputSchema,
  sessionPageSchema,
  sessionSchema,
  updateSessionInputSchema,
} from "@co/shared";
import { authedProcedure } from "../procedures.js";
import { router } from "../init.js";

export const sessionsRouter = router({
  create: authedProcedure
    .meta({
      openapi: { method: "POST", path: "/sessions", tags: ["sessions"], summary: "Start a session (on the recommended problem when none is given)" },
      successStatus: 201,
    })
    .input(createSessionInputSchema)
    .output(sessionSchema)
    .mutation(({ ctx, input }) => ctx.deps.services.sessions.create(ctx.user.id, input)),

  list: authedProcedure
    .meta({ openapi: { method: "GET", path: "/sessions", tags: ["sessions"], summary: "The caller's sessions, newest first" } })
    .input(listSessionsInputSchema)
    .output(sessionPageSchema)
    .query(({ ctx, input }) => ctx.deps.services.sessions.list(ctx.user.id, input)),

  get: authedProcedure
    .meta({ openapi: { method: "GET", path: "/sessions/{id}", tags: ["sessions"], summary: "One of the caller's sessions" } })
    .input(sessionIdInputSchema)
    .output(sessionSchema)
    .query(({ ctx, input }) => ctx.deps.services.sessions.get(ctx.user.id, input.id)),

  update: authedProcedure
    .meta({
      openapi: { method: "PATCH", path: "/sessions/{id}", tags: ["sessions"], summary: "advance, retry or give up (409 unless active)" },
    })
    .input(updateSessionInputSchema)
    .output(sessionSchema)
    .mutation(({ ctx, input }) =>
      ctx.deps.services.sessions.update(ctx.user.id, input.id, input.action, { expectedProblemId: input.expected_problem_id }),
    ),
});
