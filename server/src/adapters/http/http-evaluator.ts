import { z } from "zod";
import type {
  CodeEvaluation,
  CodeEvaluationRequest,
  Evaluator,
  MathEvaluation,
  MathEvaluationRequest,
} from "../../ports/evaluator.js";
import { createNeighbourClient, type NeighbourClient } from "./neighbour-client.js";
import { neighbourAt, type NeighbourEndpoint } from "./neighbour.js";

export interface HttpEvaluatorOptions extends NeighbourEndpoint {
  /** `CO_EVAL_TIMEOUT_MS`: the budget of one call. */
  timeoutMs: number;
}

const count = z.number().int().nonnegative();

/** §9 `/evaluate/code` response. Optional fields may also arrive as null. */
const codeEvaluationWireSchema = z.object({
  status: z.enum(["passed", "failed", "timeout", "error"]),
  visible: z.object({
    passed: count,
    total: count,
    details: z.array(
      z.object({
        input: z.array(z.unknown()),
        expected: z.unknown(),
        actual: z.unknown(),
        passed: z.boolean(),
        message: z.string().nullish(),
      }),
    ),
  }),
  hidden: z.object({ passed: count, total: count }),
  exec_ms: z.number().nonnegative(),
  error: z
    .object({ kind: z.enum(["compile", "runtime", "memory", "timeout"]), message: z.string() })
    .nullish(),
});

/** §9 `/evaluate/math` response. */
const mathEvaluationWireSchema = z.object({
  correct: z.boolean(),
  feedback: z.string().nullish(),
  error_type: z.enum(["wrong_answer", "incomplete", "method_error", "syntax_error"]).nullish(),
  exec_ms: z.number().nonnegative().nullish(),
});

/** The Evaluation service over HTTP (§9). Grading is a POST: never retried; any 404 is an upstream failure. */
export class HttpEvaluator implements Evaluator {
  private readonly client: NeighbourClient;

  constructor(options: HttpEvaluatorOptions) {
    this.client = createNeighbourClient({ ...neighbourAt("Evaluation service", "evaluator", options), timeoutMs: options.timeoutMs });
  }

  async evaluateCode(request: CodeEvaluationRequest, signal?: AbortSignal): Promise<CodeEvaluation> {
    const body = {
      problem_id: request.problemId,
      language: request.language,
      code: request.code,
      entrypoint: request.entrypoint,
      visible_tests: request.visibleTests,
      test_bundle: { problem_id: request.problemId, tests: request.hiddenTests },
      compare: request.compare,
      timeout_ms: request.timeoutMs,
    };
    const wire = await this.client.post("/evaluate/code", body, codeEvaluationWireSchema, { signal });
    return {
      status: wire.status,
      visible: {
        passed: wire.visible.passed,
        total: wire.visible.total,
        details: wire.visible.details.map((detail) => ({
          input: detail.input,
          expected: detail.expected,
          actual: detail.actual,
          passed: detail.passed,
          ...(detail.message != null ? { message: detail.message } : {}),
        })),
      },
      hidden: { passed: wire.hidden.passed, total: wire.hidden.total },
      execMs: wire.exec_ms,
      ...(wire.error != null ? { error: { kind: wire.error.kind, message: wire.error.message } } : {}),
    };
  }

  async evaluateMath(request: MathEvaluationRequest, signal?: AbortSignal): Promise<MathEvaluation> {
    const body = {
      problem_id: request.problemId,
      problem_type: request.problemType,
      user_answer: request.userAnswer,
      user_steps: request.userSteps,
      expected_answer: request.expectedAnswer,
      variables: request.variables,
      tolerance: request.tolerance,
    };
    const wire = await this.client.post("/evaluate/math", body, mathEvaluationWireSchema, { signal });
    return {
      correct: wire.correct,
      ...(wire.feedback != null ? { feedback: wire.feedback } : {}),
      ...(wire.error_type != null ? { errorType: wire.error_type } : {}),
      ...(wire.exec_ms != null ? { execMs: wire.exec_ms } : {}),
    };
  }

  /** Nothing to release: connections belong to the process-wide fetch pool. */
  async close(): Promise<void> {}
}
