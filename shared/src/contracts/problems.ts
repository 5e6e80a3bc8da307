import { z } from "zod";
import { subjectSchema } from "./common.js";
import { COMPARE_MODES, LANGUAGES, PROBLEM_TYPES } from "./enums.js";

export const problemTypeSchema = z.enum(PROBLEM_TYPES);
export type ProblemType = z.infer<typeof problemTypeSchema>;

export const languageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof languageSchema>;

export const compareModeSchema = z.enum(COMPARE_MODES);
export type CompareMode = z.infer<typeof compareModeSchema>;

/** One test case: positional arguments and the expected return value. */
export const testCaseSchema = z
  .object({
    input: z.array(z.unknown()).describe("Positional arguments of the entrypoint"),
    expected: z.unknown().describe("Expected return value"),
  })
  .meta({ id: "TestCase" });
export type TestCase = z.infer<typeof testCaseSchema>;

export const hintsSchema = z.object({ "1": z.string(), "2": z.string(), "3": z.string() });

const problemCore = {
  id: z.string().min(1).max(200).describe("Problem id (a slug)"),
  subject: subjectSchema,
  title: z.string().min(1),
  statement: z.string().min(1).describe("Markdown statement"),
  type: problemTypeSchema,
  difficulty: z.number().int().min(1).max(5),
  topics: z.array(z.string()),
  outcomes: z.array(z.string()),
  track: z.string().nullable().describe("Track slug"),
  module: z.string().nullable().describe("Module id within the track"),
  entrypoint: z.object({ python: z.string(), javascript: z.string() }).optional(),
  starter_code: z.object({ python: z.string().optional(), javascript: z.string().optional() }).optional(),
  visible_tests: z.array(testCaseSchema).optional(),
  compare: compareModeSchema.optional(),
  variables: z.array(z.string()).optional(),
};

/** The neighbour Problem Bank's full problem (§9). Holds data a learner must never see. */
export const bankProblemSchema = z.object({
  ...problemCore,
  hints: hintsSchema,
  solution: z.string().optional(),
  tolerance: z.number().positive().optional(),
});
export type BankProblem = z.infer<typeof bankProblemSchema>;

/** What a learner may see of a problem: no hints, solution, hidden tests or references. */
export const publicProblemSchema = z.object(problemCore).meta({ id: "Problem", description: "What a learner may see of a problem" });
export type PublicProblem = z.infer<typeof publicProblemSchema>;

export const problemSummarySchema = publicProblemSchema.pick({
  id: true,
  subject: true,
  title: true,
  type: true,
  difficulty: true,
  topics: true,
  track: true,
  module: true,
}).meta({ id: "ProblemSummary" });
export type ProblemSummary = z.infer<typeof problemSummarySchema>;

export const hiddenBundleSchema = z.object({
  problem_id: z.string(),
  tests: z.array(testCaseSchema),
});
export type HiddenBundle = z.infer<typeof hiddenBundleSchema>;

export const problemIdInputSchema = z.strictObject({ id: z.string().min(1).max(200).describe("Problem id") });
