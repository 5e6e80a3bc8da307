import { z } from "zod";
import { pageQuerySchema, pagedSchema } from "./common.js";
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

/** The subject of a submission: `systems` essays are not graded, and the message says where to go instead. */
export const gradedSubjectSchema = z.enum(GRADED_SUBJECTS, {
  error: (issue) =>
    issue.input === "systems"
      ? "systems (essay) problems are not graded: ask the tutor for feedback on your answer (POST /v1/tutor/messages, tRPC tutor.createMessage)"
      : `must be one of ${GRADED_SUBJECTS.map((subject) => `"${subject}"`).join(", ")}`,
});

const submissionCommon = {
  session_id: z.uuid().describe("The caller's active session"),
  problem_id: z.string().min(1).max(200).describe("The session's current problem"),
  task_id: z.uuid().optional().describe("Study task this attempt belongs to"),
};
const codeDescription = "coding: the source, at most 64 KiB of UTF-8 (413 above)";
const expressionDescription = "math: the final answer, at most 2 KiB of UTF-8 (413 above)";
const stepsDescription = "math: working, each step equivalent to the one before (at most 50 steps of 2 KiB of UTF-8 each; 413 above)";

/** A coding attempt as the document shows it (one branch of the `subject` oneOf). */
export const codingSubmissionSchema = z
  .strictObject({
    ...submissionCommon,
    subject: z.literal("coding"),
    payload: z.strictObject({ language: languageSchema, code: codeField.describe(codeDescription) }),
  })
  .meta({ id: "CodingSubmission" });

/** A math attempt as the document shows it: an expression, steps, or both. */
export const mathSubmissionSchema = z
  .strictObject({
    ...submissionCommon,
    subject: z.literal("math"),
    payload: z
      .strictObject({
        expression: expressionField.optional().describe(expressionDescription),
        steps: stepsField.optional().describe(stepsDescription),
      })
      .describe("At least one of expression and steps"),
  })
  .meta({ id: "MathSubmission" });

/** `POST /v1/submissions` in the document: one of the two shapes, chosen by `subject`. */
export const submissionBodySchema = z.discriminatedUnion("subject", [codingSubmissionSchema, mathSubmissionSchema]);

/**
 * One object schema for both subjects (the REST adapter needs an object at the top);
 * the refinement enforces the §8.4 shape of each: coding `{language, code}`, math
 * `{expression?, steps?}` with at least one of them.
 */
export const createSubmissionInputSchema = z
  .strictObject({
    session_id: submissionCommon.session_id,
    problem_id: submissionCommon.problem_id,
    subject: gradedSubjectSchema.describe("Selects the payload shape"),
    payload: z.strictObject({
      language: languageSchema.optional().describe("coding: python or javascript"),
      code: codeField.optional().describe(codeDescription),
      expression: expressionField.optional().describe(expressionDescription),
      steps: stepsField.optional().describe(stepsDescription),
    }),
    task_id: submissionCommon.task_id,
  })
  .superRefine((input, ctx) => {
    const { payload } = input;
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: ["payload", path], message });
    if (input.subject === "coding") {
      if (!payload.language) issue("language", "required for coding submissions (python or javascript)");
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
  created_at: z.date(),
});
export type SubmissionResult = z.infer<typeof submissionResultSchema>;

export const submissionIdInputSchema = z.strictObject({ id: z.uuid().describe("Submission id") });

export const listSubmissionsInputSchema = pageQuerySchema.extend({
  session_id: z.uuid().optional(),
  problem_id: z.string().max(200).optional(),
});

export const submissionPageSchema = pagedSchema(submissionResultSchema);
