import { createTutorMessageInputSchema, tutorMessageCreatedSchema, tutorStreamInputSchema } from "@co/shared";
import { tracked } from "@trpc/server";
import { authedProcedure } from "../procedures.js";
import { router } from "../init.js";

export const tutorRouter = router({
  createMessage: authedProcedure
    .meta({
      openapi: {
        method: "POST",
        path: "/tutor/messages",
        tags: ["tutor"],
        summary: "Ask for a hint: starts a streamed tutor turn (202 with its stream URL and token)",
        description:
          "The session must be the caller's and active, on this problem. 429 MAX_STREAMS with details {max_streams, active} while the caller already has the maximum of open streams.",
      },
      successStatus: 202,
    })
    .input(createTutorMessageInputSchema)
    .output(tutorMessageCreatedSchema)
    .mutation(({ ctx, input }) => ctx.deps.services.tutor.createMessage(ctx.user.id, input)),

  /**
   * The same events as `GET /v1/tutor/stream`, tracked by id so a reconnect resumes after
   * the last one. The turn is checked before the stream starts, so a 404 is a real 404
   * rather than an error the client would retry. A resume after the closing event completes at once.
   */
  stream: authedProcedure.input(tutorStreamInputSchema).subscription(async ({ ctx, input, signal }) => {
    const items = await ctx.deps.services.tutor.openStream(ctx.user.id, input.turn_id, input.lastEventId ?? null, signal ?? new AbortController().signal);
    return (async function* () {
      if (!items) return;
      for await (const item of items) {
        if (item.kind === "event") yield tracked(item.id, item.event);
      }
    })();
  }),
});
