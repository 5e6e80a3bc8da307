import { z } from "zod";
import { bankProblemSchema, testCaseSchema, trackDefinitionSchema } from "@co/shared";

/**
 * A seed problem: the §9 Problem plus the data only the server holds.
 * Coding problems must carry entrypoints, visible and hidden tests and reference solutions;
 * math problems an expected `solution` and their `variables`.
 */
export const packProblemSchema = bankProblemSchema
  .extend({
    hidden_tests: z.array(testCaseSchema).default([]),
    reference_solutions: z.object({ python: z.string(), javascript: z.string() }).optional(),
    /** Math only: the solution written another way, to prove the equivalence check accepts rewrites. */
    equivalent_answer: z.string().optional(),
  })
  .superRefine((problem, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: "custom", message: `${problem.id}: ${message}` });
    if (problem.type === "coding") {
      if (!problem.entrypoint) issue("coding problems need an entrypoint");
      if (!problem.reference_solutions) issue("coding problems need reference solutions");
      if ((problem.visible_tests?.length ?? 0) < 3) issue("coding problems need at least 3 visible tests");
      if (problem.hidden_tests.length < 5) issue("coding problems need at least 5 hidden tests");
    }
    if (problem.type === "expression" || problem.type === "equation") {
      if (!problem.solution) issue("math problems need a solution");
      if (!problem.variables) issue("math problems need their variables (may be empty)");
      if (!problem.equivalent_answer) issue("math problems need an equivalent_answer rewrite");
    }
  });
export type PackProblem = z.infer<typeof packProblemSchema>;

/** One file of the content pack: tracks and/or problems. */
export const packFileSchema = z.object({
  tracks: z.array(trackDefinitionSchema).default([]),
  problems: z.array(packProblemSchema).default([]),
});
export type PackFile = z.infer<typeof packFileSchema>;
