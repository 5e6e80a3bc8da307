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
 * hidden tests as counts only. A test the run never reached counts as failed; code that threw
 * on every test is an `error` of kind "runtime".
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
  const crash = outcome.end === "ok" ? crashOnEveryTest(request, outcome) : undefined;
  const result: CodeEvaluation = {
    status:
      outcome.end === "ok" ? (allPassed ? "passed" : crash !== undefined ? "error" : "failed") : outcome.end === "timeout" ? "timeout" : "error",
    visible: { passed: visiblePassed, total: details.length, details },
    hidden: { passed: hiddenPassed, total: request.hiddenTests.length },
    execMs: outcome.execMs,
  };
  if (outcome.end !== "ok") result.error = { kind: outcome.end, message: stoppedMessage ?? DEFAULT_MESSAGES[outcome.end] };
  else if (crash !== undefined) result.error = { kind: "runtime", message: crash };
  return result;
}

/**
 * The first test's message when the code threw on every test (§8.4: a runtime error, not wrong
 * logic: nothing ever returned a value to judge). Code that throws on only some tests is graded
 * on what it returned, as failed with the usual categories.
 */
function crashOnEveryTest(request: CodeEvaluationRequest, outcome: RunOutcome): string | undefined {
  const total = request.visibleTests.length + request.hiddenTests.length;
  if (total === 0 || outcome.tests.length < total) return undefined;
  const first = outcome.tests[0];
  if (first === undefined || first.ok || outcome.tests.some((test) => test.ok)) return undefined;
  return first.message;
}
