import { z } from "zod";
import { pageQuerySchema, pagedSchema } from "./common.js";
import { languageSchema } from "./problems.js";

/** Limits of §8.4, strings in UTF-8 bytes (not characters); a field over them answers 413. */
export const SUBMISSION_LIMITS = {
  codeBytes: 64 * 1024,
  expressionBytes: 2 * 1024,
  steps: 50,
  stepBytes: 2 * 1024,
} as const;

/** Length of `text` encoded as UTF-8 (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * A string of at most `maxBytes` of UTF-8. `.max()` rejects (and documents) the length in
 * UTF-16 units, which never exceeds the byte length; the check then catches multi-byte text
 * within that length, reported as the same `too_big` size issue (413).
 */
const utf8String = (maxBytes: number, message: string) =>
  z
    .string()
    .max(maxBytes, message)
    .check((ctx) => {
      if (ctx.value.length <= maxBytes && utf8ByteLength(ctx.value) > maxBytes) {
        ctx.issues.push({ code: "too_big", origin: "string", maximum: maxBytes, inclusive: true, input: ctx.value, message });
      }
    });

const codeField = utf8String(SUBMISSION_LIMITS.codeBytes, "code is larger than 64 KiB").min(1, "code must not be empty");
const expressionField = utf8String(SUBMISSION_LIMITS.expressionBytes, "expression is larger than 2 KiB");
const stepsField = z
  .array(utf8String(SUBMISSION_LIMITS.stepBytes, "a step is larger than 2 KiB"))
  .max(SUBMISSION_LIMITS.steps, "at most 50 steps");

/**
 * One object schema for both subjects (the REST adapter needs an object at the top);
 * the refinement enforces the §8.4 shape of each: coding `{language, code}`, math
 * `{expression?, steps?}` with at least one of them.
 */
export const createSubmissionInputSchema = z
  .object({
    session_id: z.uuid(),
    problem_id: z.string().min(1).max(200),
    subject: z.enum(["coding", "math"]).describe("Selects the payload shape"),
    payload: z
      .object({
        language: languageSchema.optional().describe("coding: python or javascript"),
        code: codeField.optional().describe("coding: the source, at most 64 KiB of UTF-8 (413 above)"),
        expression: expressionField.optional().describe("math: the final answer, at most 2 KiB of UTF-8 (413 above)"),
        steps: stepsField
          .optional()
          .describe("math: working, each step equivalent to the one before (at most 50 steps of 2 KiB of UTF-8 each; 413 above)"),
      })
      .strict(),
    task_id: z.uuid().optional().describe("Study task this attempt belongs to"),
  })
  .superRefine((input, ctx) => {
    const { payload } = input;
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: ["payload", path], message });
    if (input.subject === "coding") {
      if (!payload.language) issue("language", "required for coding submissions");
      if (payload.code === undefined) issue("code", "required for coding submissions");
      if (payload.expression !== undefined || payload.steps !== undefined) issue("expression", "not allowed for coding submissions");
    } else {
      if (payload.expression === undefined && (payload.steps?.length ?? 0) === 0) issue("expression", "give an expression, steps, or both");
      if (payload.language !== undefined || payload.code !== undefined) issue("code", "not allowed for math submissions");
    }
  });

interface SubmissionCommon {
  session_id: string;
  problem_id: string;
  task_id?: string | undefined;
}
/** The validated input, narrowed by subject. */
export type CreateSubmissionInput =
  | (SubmissionCommon & { subject: "coding"; payload: { language: "python" | "javascript"; code: string } })
  | (SubmissionCommon & { subject: "math"; payload: { expression?: string | undefined; steps?: string[] | undefined } });

/** Narrows a value that passed `createSubmissionInputSchema` (the refinement guarantees the shape). */
export const asSubmission = (input: z.infer<typeof createSubmissionInputSchema>): CreateSubmissionInput =>
  input as CreateSubmissionInput;

export const submissionStatusSchema = z.enum(["passed", "failed", "timeout", "error"]);

export const visibleDetailSchema = z.union([
  z.object({
    input: z.unknown(),
    expected: z.unknown(),
    actual: z.unknown(),
    passed: z.boolean(),
    message: z.string().optional(),
  }),
  z.object({ correct: z.boolean(), feedback: z.string().optional() }),
]);

export const submissionResultSchema = z.object({
  id: z.uuid(),
  session_id: z.uuid(),
  problem_id: z.string(),
  subject: z.enum(["coding", "math"]),
  language: z.string().nullable(),
  task_id: z.uuid().nullable(),
  status: submissionStatusSchema,
  visible: z.object({ passed: z.number().int(), total: z.number().int(), details: z.array(visibleDetailSchema) }),
  hidden: z.object({
    passed: z.number().int(),
    total: z.number().int(),
    categories: z.array(z.string()).describe("Failure categories; hidden inputs and expectations are never shown"),
  }),
  exec_ms: z.number().int(),
  pillar_scores: z.record(z.string(), z.number()).nullable(),
  feedback: z.record(z.string(), z.unknown()).nullable(),
  created_at: z.date(),
});
export type SubmissionResult = z.infer<typeof submissionResultSchema>;

export const submissionIdInputSchema = z.object({ id: z.uuid().describe("Submission id") });

export const listSubmissionsInputSchema = pageQuerySchema.extend({
  session_id: z.uuid().optional(),
  problem_id: z.string().max(200).optional(),
});

export const submissionPageSchema = pagedSchema(submissionResultSchema);
