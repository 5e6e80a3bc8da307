import { z } from "zod";
import { instantSchema, pageQuerySchema, pagedSchema, subjectSchema } from "./common.js";
import { SESSION_ACTIONS, SESSION_MODES, SESSION_STATUSES } from "./enums.js";

export const sessionModeSchema = z.enum(SESSION_MODES);
export const sessionStatusSchema = z.enum(SESSION_STATUSES);

export const sessionSchema = z.object({
  id: z.uuid(),
  user_id: z.string(),
  subject: subjectSchema,
  mode: sessionModeSchema,
  track_id: z.uuid().nullable(),
  problem_id: z.string().nullable().describe("The current problem; null once the session is completed"),
  status: sessionStatusSchema,
  last_hint_level: z.number().int().min(0).max(3),
  started_at: instantSchema,
  updated_at: instantSchema,
}).meta({ id: "Session" });
export type Session = z.infer<typeof sessionSchema>;

export const createSessionInputSchema = z.strictObject({
  subject: subjectSchema,
  mode: sessionModeSchema.default("practice"),
  track_id: z.string().min(1).max(200).optional().describe("Track uuid or slug; required in track mode"),
  problem_id: z.string().min(1).max(200).optional().describe("Start on this problem; omitted → the recommended one"),
});
export type CreateSessionInput = z.infer<typeof createSessionInputSchema>;

export const sessionIdInputSchema = z.strictObject({ id: z.uuid().describe("Session id") });

export const sessionActionSchema = z.enum(SESSION_ACTIONS);
export type SessionAction = z.infer<typeof sessionActionSchema>;

export const updateSessionInputSchema = z.strictObject({
  id: z.uuid().describe("Session id"),
  action: sessionActionSchema.describe("advance: next recommended problem; retry: same problem, hints reset; giveup: abandon"),
  expected_problem_id: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("Precondition: the problem the caller saw; when the session has moved on since, the answer is 409 and nothing changes"),
});

export const listSessionsInputSchema = pageQuerySchema.extend({
  status: sessionStatusSchema.optional(),
});

export const sessionPageSchema = pagedSchema(sessionSchema).meta({ id: "SessionPage" });
