import type { CompareMode, Language, ProblemType, TestCase } from "@co/shared";

/** What the Evaluator needs to grade code (the §9 `/evaluate/code` body). */
export interface CodeEvaluationRequest {
  problemId: string;
  language: Language;
  code: string;
  /** Function name to call, for this language. */
  entrypoint: string;
  visibleTests: TestCase[];
  hiddenTests: TestCase[];
  compare: CompareMode;
  /** Total wall-clock budget for the whole run. */
  timeoutMs: number;
  /** Whose submission it is: the local evaluator runs few of one user's at once. */
  userId?: string;
}

export interface VisibleTestDetail {
  input: unknown[];
  expected: unknown;
  actual: unknown;
  passed: boolean;
  message?: string;
}

export type CodeEvaluationStatus = "passed" | "failed" | "timeout" | "error";

export interface CodeEvaluation {
  status: CodeEvaluationStatus;
  visible: { passed: number; total: number; details: VisibleTestDetail[] };
  hidden: { passed: number; total: number };
  execMs: number;
  error?: { kind: "compile" | "runtime" | "memory" | "timeout"; message: string };
}

/** What the Evaluator needs to grade a math answer (the §9 `/evaluate/math` body). */
export interface MathEvaluationRequest {
  problemId: string;
  problemType: Extract<ProblemType, "expression" | "equation">;
  userAnswer: string | null;
  userSteps: string[];
  expectedAnswer: string;
  variables: string[];
  tolerance: number;
  /** Whose answer it is: the local evaluator runs few of one user's at once. */
  userId?: string;
}

export type MathErrorType = "wrong_answer" | "incomplete" | "method_error" | "syntax_error";

export interface MathEvaluation {
  correct: boolean;
  feedback?: string;
  errorType?: MathErrorType;
  execMs?: number;
}

/** Grades submissions. Local (sandboxes + mathjs) or the Evaluation service over HTTP. */
export interface Evaluator {
  evaluateCode(request: CodeEvaluationRequest, signal?: AbortSignal): Promise<CodeEvaluation>;
  evaluateMath(request: MathEvaluationRequest, signal?: AbortSignal): Promise<MathEvaluation>;
  /** Starts what the first evaluation would otherwise wait for (sandboxes); optional. */
  warmUp?(): void;
  /** Releases child processes and sockets. */
  close(): Promise<void>;
}
