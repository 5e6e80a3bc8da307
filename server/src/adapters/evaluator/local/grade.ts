import type { CodeEvaluation, CodeEvaluationRequest, VisibleTestDetail } from "../../../ports/evaluator.js";
import { resultsMatch } from "./compare.js";
import type { RunOutcome, TestRun } from "./sandbox-outcome.js";

const DEFAULT_MESSAGES: Record<Exclude<RunOutcome["end"], "ok">, string> = {
  compile: "The code does not compile",
  runtime: "The code failed while loading",
  memory: "Memory limit exceeded",
  timeout: "Time limit exceeded",
};

function judge(request: CodeEvaluationRequest, run: TestRun | undefined, expected: unknown): boolean {
  return run !== undefined && run.ok && resultsMatch(request.compare, run.actual, expected);
}

/**
 * Turns a sandbox's raw outcome into the port's result: visible tests with full details,
 * hidden tests as counts only. A test the run never reached counts as failed.
 */
export function gradeRun(request: CodeEvaluationRequest, outcome: RunOutcome): CodeEvaluation {
  const stoppedMessage = outcome.end === "ok" ? undefined : (outcome.message ?? DEFAULT_MESSAGES[outcome.end]);
  const notReached = stoppedMessage ?? "Not run";

  const details: VisibleTestDetail[] = request.visibleTests.map((test, i) => {
    const run = outcome.tests[i];
    const detail: VisibleTestDetail = {
      input: test.input,
      expected: test.expected,
      actual: run?.ok ? run.actual : null,
      passed: judge(request, run, test.expected),
    };
    if (run === undefined) detail.message = notReached;
    else if (!run.ok) detail.message = run.message;
    return detail;
  });
  const visiblePassed = details.filter((detail) => detail.passed).length;

  const offset = request.visibleTests.length;
  const hiddenPassed = request.hiddenTests.filter((test, i) => judge(request, outcome.tests[offset + i], test.expected)).length;

  const allPassed = visiblePassed === details.length && hiddenPassed === request.hiddenTests.length;
  const result: CodeEvaluation = {
    status: outcome.end === "ok" ? (allPassed ? "passed" : "failed") : outcome.end === "timeout" ? "timeout" : "error",
    visible: { passed: visiblePassed, total: details.length, details },
    hidden: { passed: hiddenPassed, total: request.hiddenTests.length },
    execMs: outcome.execMs,
  };
  if (outcome.end !== "ok") result.error = { kind: outcome.end, message: stoppedMessage ?? DEFAULT_MESSAGES[outcome.end] };
  return result;
}
