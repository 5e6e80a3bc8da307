import { z } from "zod";
import { pageQuerySchema, pagedSchema } from "./common.js";
import { languageSchema } from "./problems.js";

/** Limits of §8.4; a field over them answers 413. */
export const SUBMISSION_LIMITS = {
  codeChars: 64 * 1024,
  expressionChars: 2 * 1024,
  steps: 50,
  stepChars: 2 * 1024,
} as const;

const codeField = z.string().min(1, "code must not be empty").max(SUBMISSION_LIMITS.codeChars, "code is larger than 64 KiB");
const expressionField = z.string().max(SUBMISSION_LIMITS.expressionChars, "expression is larger than 2 KiB");
const stepsField = z
  .array(z.string().max(SUBMISSION_LIMITS.stepChars, "a step is larger than 2 KiB"))
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
        code: codeField.optional().describe("coding: the source, at most 64 KiB"),
        expression: expressionField.optional().describe("math: the final answer, at most 2 KiB"),
        steps: stepsField.optional().describe("math: working, each step equivalent to the one before (≤ 50 × 2 KiB)"),
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
