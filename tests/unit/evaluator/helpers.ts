import type { CodeEvaluationRequest } from "../../../server/src/ports/evaluator.js";

/** A coding request for `add(a, b)` with two visible and two hidden tests, overridable. */
export function codeRequest(overrides: Partial<CodeEvaluationRequest> = {}): CodeEvaluationRequest {
  return {
    problemId: "add-two",
    language: "javascript",
    code: "function add(a, b) { return a + b; }",
    entrypoint: "add",
    visibleTests: [
      { input: [1, 2], expected: 3 },
      { input: [-1, 1], expected: 0 },
    ],
    hiddenTests: [
      { input: [10, 20], expected: 30 },
      { input: [0, 0], expected: 0 },
    ],
    compare: "exact",
    timeoutMs: 5000,
    ...overrides,
  };
}
