import type { FailureCategory, SubmissionFeedback } from "@co/shared";
import type { CodeEvaluation, MathEvaluation } from "../../ports/evaluator.js";

export type SubmissionStatus = "passed" | "failed" | "timeout" | "error";

/** What a submission stores and shows: never hidden inputs or expected values. */
export interface Grade {
  status: SubmissionStatus;
  visible: { passed: number; total: number; details: unknown[] };
  hidden: { passed: number; total: number; categories: FailureCategory[] };
  execMs: number;
  feedback: SubmissionFeedback | null;
  errorMessage: string | null;
}

/** Coding categories of §8.4. */
export function codingCategories(evaluation: CodeEvaluation): FailureCategory[] {
  switch (evaluation.status) {
    case "passed":
      return [];
    case "timeout":
      return ["timeout"];
    case "error":
      return [evaluation.error?.kind === "compile" ? "compile_error" : "runtime_error"];
    case "failed": {
      const { passed, total } = evaluation.hidden;
      if (passed === 0) return ["logic_error"];
      if (passed < total / 2) return ["edge_cases"];
      return ["minor_issues"];
    }
  }
}

export function gradeCode(evaluation: CodeEvaluation): Grade {
  return {
    status: evaluation.status,
    visible: {
      passed: evaluation.visible.passed,
      total: evaluation.visible.total,
      details: evaluation.visible.details.map((detail) => ({
        input: detail.input,
        expected: detail.expected,
        actual: detail.actual,
        passed: detail.passed,
        ...(detail.message ? { message: detail.message } : {}),
      })),
    },
    hidden: { passed: evaluation.hidden.passed, total: evaluation.hidden.total, categories: codingCategories(evaluation) },
    execMs: Math.round(evaluation.execMs),
    feedback: evaluation.error ? { error_kind: evaluation.error.kind, message: evaluation.error.message } : null,
    errorMessage: evaluation.error?.message ?? null,
  };
}

const mathCategoryOf = {
  wrong_answer: "incorrect_answer",
  incomplete: "incomplete_solution",
  method_error: "incorrect_method",
  syntax_error: "syntax_error",
} as const;

/** Math categories of §8.4; an unparseable answer is an `error`, a wrong one `failed`. */
export function gradeMath(evaluation: MathEvaluation): Grade {
  const category = evaluation.correct ? null : evaluation.errorType ? mathCategoryOf[evaluation.errorType] : "unknown_error";
  const status: SubmissionStatus = evaluation.correct ? "passed" : category === "syntax_error" ? "error" : "failed";
  return {
    status,
    visible: {
      passed: evaluation.correct ? 1 : 0,
      total: 1,
      details: [{ correct: evaluation.correct, ...(evaluation.feedback ? { feedback: evaluation.feedback } : {}) }],
    },
    hidden: { passed: 0, total: 0, categories: category ? [category] : [] },
    execMs: Math.round(evaluation.execMs ?? 0),
    feedback: evaluation.feedback ? { message: evaluation.feedback, ...(category ? { category } : {}) } : null,
    errorMessage: evaluation.correct ? null : (evaluation.feedback ?? null),
  };
}
