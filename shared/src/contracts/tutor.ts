import { z } from "zod";
import { HINT_LEVELS } from "./enums.js";
import { submissionStatusSchema, visibleDetailSchema } from "./submissions.js";

/** Limits of a tutor request; a field over them answers 413. */
export const TUTOR_LIMITS = {
  messageBytes: 4 * 1024,
  categories: 20,
  details: 50,
  textChars: 2 * 1024,
} as const;

/** 1, 2 or 3 (a literal union, so clients see `1 | 2 | 3`, not `number`); the document says integer. */
export const hintLevelSchema = z.literal(HINT_LEVELS).meta({
  description: "1 = a gentle nudge, 2 = conceptual guidance, 3 = step-by-step guidance",
  override: { type: "integer", minimum: 1, maximum: 3 },
});
export type HintLevel = z.infer<typeof hintLevelSchema>;

/** What the learner's last attempt showed: visible facts only, never hidden tests. */
export const lastEvalSchema = z.strictObject({
  status: submissionStatusSchema.describe("Outcome of the last attempt"),
  categories: z
    .array(z.string().max(64))
    .max(TUTOR_LIMITS.categories)
    .default([])
    .describe("Failure categories, e.g. edge_cases, incorrect_answer"),
  details: z.array(visibleDetailSchema).max(TUTOR_LIMITS.details).optional().describe("Visible-test details of that attempt"),
  message: z.string().max(TUTOR_LIMITS.textChars).optional().describe("Error message shown to the learner, if any"),
});
export type LastEval = z.infer<typeof lastEvalSchema>;

const utf8Bytes = (value: string) => new TextEncoder().encode(value).length;

/** Counted in UTF-8 bytes (not characters), reported as a size issue so it answers 413 like other limits. */
const tutorMessageSchema = z
  .string()
  .max(TUTOR_LIMITS.messageBytes, "message is larger than 4 KiB")
  .check((ctx) => {
    if (utf8Bytes(ctx.value) > TUTOR_LIMITS.messageBytes) {
      ctx.issues.push({
        code: "too_big",
        origin: "string",
        maximum: TUTOR_LIMITS.messageBytes,
        inclusive: true,
        input: ctx.value,
        message: "message is larger than 4 KiB",
      });
    }
  });

export const createTutorMessageInputSchema = z.strictObject({
  session_id: z.uuid().describe("The caller's active session"),
  problem_id: z.string().min(1).max(200).describe("The session's current problem"),
  hint_level: hintLevelSchema,
  last_eval: lastEvalSchema.optional().describe("The last evaluation; omitted → the newest stored submission of this session and problem"),
  message: tutorMessageSchema.optional().describe("What the learner asks, at most 4 KiB"),
  task_id: z.uuid().optional().describe("Study task the hint counts against (hints_used + a hint_requested event)"),
});
export type CreateTutorMessageInput = z.infer<typeof createTutorMessageInputSchema>;

export const tutorMessageCreatedSchema = z
  .object({
    stream_url: z.string().describe("SSE URL of the turn (`GET /v1/tutor/stream?token=…`), valid for 5 minutes"),
    token: z.string().describe("Short-lived stream token naming the user and the turn"),
    turn_id: z.uuid(),
  })
  .meta({ id: "TutorMessageCreated" });
export type TutorMessageCreated = z.infer<typeof tutorMessageCreatedSchema>;

/** The §8.6 stream events: the SSE `event:` name is `type`, its JSON `data:` is `data`. */
export const tutorStartEventSchema = z.object({
  type: z.literal("message.start"),
  data: z.object({ turn_id: z.uuid(), hint_level: hintLevelSchema }),
});
export const tutorDeltaEventSchema = z.object({
  type: z.literal("message.delta"),
  data: z.object({ content: z.string().describe("Markdown to append") }),
});
export const tutorEndEventSchema = z.object({
  type: z.literal("message.end"),
  data: z.object({ finish_reason: z.string(), tokens: z.number().int().nullable().describe("Tokens generated; null when unknown") }),
});
export const tutorErrorEventSchema = z.object({
  type: z.literal("error"),
  data: z.object({ code: z.string().describe("e.g. UPSTREAM_ERROR, UPSTREAM_TIMEOUT, SHUTDOWN, EVENTS_EXPIRED (resumed after events that were dropped)"), message: z.string() }),
});
export const tutorEventSchema = z.discriminatedUnion("type", [
  tutorStartEventSchema,
  tutorDeltaEventSchema,
  tutorEndEventSchema,
  tutorErrorEventSchema,
]);
export type TutorEvent = z.infer<typeof tutorEventSchema>;
export type TutorEventType = TutorEvent["type"];

/** `message.end` and `error` close a turn's stream. */
export const isTerminalTutorEvent = (type: string): boolean => type === "message.end" || type === "error";

export const tutorStreamInputSchema = z.strictObject({
  turn_id: z.uuid().describe("The caller's tutor turn"),
  // tRPC fills this from `Last-Event-ID` only when the schema declares it.
  lastEventId: z.string().max(64).nullish().describe("Resume after this event id"),
});
export type TutorStreamInput = z.infer<typeof tutorStreamInputSchema>;
