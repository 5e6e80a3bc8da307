import { z } from "zod";
import { instantSchema, pageQuerySchema, pagedSchema } from "./common.js";
import { EVALUATION_ERROR_KINDS, FAILURE_CATEGORIES, GRADED_SUBJECTS, SUBMISSION_STATUSES } from "./enums.js";
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

/** Where an essay goes instead of the grader: the tutor reads it and answers with feedback. */
const ESSAYS_GO_TO_THE_TUTOR =
  "systems (essay) problems are not graded: ask the tutor for feedback on your answer instead (POST /v1/tutor/messages, tRPC tutor.createMessage)";

const submissionCommon = {
  session_id: z.uuid().describe("The caller's active session"),
  problem_id: z.string().min(1).max(200).describe("The session's current problem"),
  task_id: z.uuid().optional().describe("Study task this attempt belongs to"),
};

/** A coding attempt: the `subject: "coding"` branch of the body. */
export const codingSubmissionSchema = z
  .strictObject({
    ...submissionCommon,
    subject: z.literal("coding"),
    payload: z.strictObject({
      language: languageSchema.describe("The language of the code"),
      code: codeField.describe("The source, at most 64 KiB of UTF-8 (413 above)"),
    }),
  })
  .meta({ id: "CodingSubmission", description: "A coding attempt, graded against the problem's visible and hidden tests" });

/** A math attempt: an expression, steps, or both. */
export const mathSubmissionSchema = z
  .strictObject({
    ...submissionCommon,
    subject: z.literal("math"),
    payload: z
      .strictObject({
        expression: expressionField.optional().describe("The final answer, at most 2 KiB of UTF-8 (413 above)"),
        steps: stepsField
          .optional()
          .describe("Working, each step equivalent to the one before (at most 50 steps of 2 KiB of UTF-8 each; 413 above)"),
      })
      .refine((payload) => payload.expression !== undefined || (payload.steps?.length ?? 0) > 0, {
        path: ["expression"],
        message: "give an expression, steps, or both",
      })
      // JSON Schema cannot say "expression, or a non-empty steps"; an empty payload it can refuse.
      .meta({ description: "At least one of expression and (non-empty) steps", override: { minProperties: 1 } }),
  })
  .meta({ id: "MathSubmission", description: "A math attempt: the final expression is compared with the answer, each step with the one before" });

/**
 * `POST /v1/submissions` and `submissions.create`: one of two shapes, chosen by `subject`.
 * A `systems` essay has no branch; its error says where essays go instead of a bare enum.
 */
export const createSubmissionInputSchema = z.discriminatedUnion("subject", [codingSubmissionSchema, mathSubmissionSchema], {
  error: (issue) => {
    if (issue.code !== "invalid_union" || !("note" in issue)) return undefined;
    const subject = (issue.input as { subject?: unknown } | undefined)?.subject;
    if (subject === "systems") return ESSAYS_GO_TO_THE_TUTOR;
    return `must be one of ${GRADED_SUBJECTS.map((graded) => `"${graded}"`).join(", ")} (it selects the payload shape)`;
  },
});
/** The validated input, narrowed by subject. */
export type CreateSubmissionInput = z.infer<typeof createSubmissionInputSchema>;

/** Header of `submissions.create` that makes a retry safe (§8.4). */
export const idempotencyHeadersSchema = z.object({
  "Idempotency-Key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe("The same key and body from the same user within 24 h return the first result without evaluating again; the same key with another body answers 409"),
});

export const submissionStatusSchema = z.enum(SUBMISSION_STATUSES);

export const failureCategorySchema = z.enum(FAILURE_CATEGORIES).describe("A §8.4 failure category");

/** What the grader adds beyond the tests: an error of a coding run, a math verdict. */
export const submissionFeedbackSchema = z
  .object({
    message: z.string().describe("What went wrong, for the learner"),
    error_kind: z.enum(EVALUATION_ERROR_KINDS).optional().describe("coding: why the run did not finish"),
    category: failureCategorySchema.optional().describe("math: the category of the verdict"),
  })
  .meta({ id: "SubmissionFeedback" });
export type SubmissionFeedback = z.infer<typeof submissionFeedbackSchema>;

export const visibleDetailSchema = z.union([
  z
    .object({
      input: z.unknown().describe("Positional arguments"),
      expected: z.unknown(),
      actual: z.unknown(),
      passed: z.boolean(),
      message: z.string().optional(),
    })
    .meta({ id: "CodingTestDetail", description: "coding: one visible test" }),
  z.object({ correct: z.boolean(), feedback: z.string().optional() }).meta({ id: "MathAnswerDetail", description: "math: the verdict on the answer" }),
]);

export const submissionResultSchema = z.object({
  id: z.uuid(),
  session_id: z.uuid(),
  problem_id: z.string(),
  subject: z.enum(GRADED_SUBJECTS),
  language: languageSchema.nullable().describe("coding: the language of the attempt; null for math"),
  task_id: z.uuid().nullable(),
  status: submissionStatusSchema,
  visible: z.object({ passed: z.number().int(), total: z.number().int(), details: z.array(visibleDetailSchema) }),
  hidden: z.object({
    passed: z.number().int(),
    total: z.number().int(),
    categories: z.array(failureCategorySchema).describe("Failure categories; hidden inputs and expectations are never shown"),
  }),
  exec_ms: z.number().int(),
  pillar_scores: z.record(z.string(), z.number()).nullable(),
  feedback: submissionFeedbackSchema.nullable(),
  created_at: instantSchema,
}).meta({ id: "SubmissionResult" });
export type SubmissionResult = z.infer<typeof submissionResultSchema>;

export const submissionIdInputSchema = z.strictObject({ id: z.uuid().describe("Submission id") });

export const listSubmissionsInputSchema = pageQuerySchema.extend({
  session_id: z.uuid().optional(),
  problem_id: z.string().max(200).optional(),
});

export const submissionPageSchema = pagedSchema(submissionResultSchema).meta({ id: "SubmissionPage" });
