import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Evaluator } from "../../server/src/ports/evaluator.js";
import { mathProblem, openSession, submit } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

/** The real evaluator the submissions service grades with (not exposed by AppDeps): watched, never replaced. */
function evaluatorOf(testApp: TestApp): Evaluator {
  return (testApp.deps.services.submissions as unknown as { deps: { evaluator: Evaluator } }).deps.evaluator;
}

/** 50 steps of ~2 KiB oscillating terms: far more work than the 2 s grading budget. */
function hostileSteps(): string[] {
  const balanced = (terms: string[]): string =>
    terms.length === 1 ? terms[0]! : `(${balanced(terms.slice(0, terms.length >> 1))}+${balanced(terms.slice(terms.length >> 1))})`;
  return Array(50).fill(`${balanced(Array.from({ length: 60 }, (_, i) => `sin(${i + 1}*x)`))} = 0`);
}

describe("math grading off the API event loop", () => {
  const equation = mathProblem("equation");

  it("while a hostile equation is being graded, /health keeps answering 200, all before the grading ends", { timeout: 90_000 }, async () => {
    const session = await openSession(app, "off-loop", equation);
    const body = (steps: string[]) => ({ session_id: session.id, problem_id: equation.id, subject: "math", payload: { expression: equation.solution, steps } });
    // An ordinary answer first, so a math worker is loaded and the hostile one is graded at once.
    expect((await submit(app, "off-loop", body([]))).status).toBe(200);

    const evaluator = evaluatorOf(app);
    const events: string[] = [];
    let markStarted!: () => void;
    const gradingStarted = new Promise<void>((resolve) => (markStarted = resolve));
    const grade = evaluator.evaluateMath.bind(evaluator);
    // Marks when the grading is handed over and when it ends. Graded on the event loop (the old
    // way), the call returns only once the grading is done, so "graded" would come first.
    evaluator.evaluateMath = (request, signal) => {
      const grading = grade(request, signal);
      markStarted();
      grading.then(() => events.push("graded"), () => events.push("graded"));
      return grading;
    };
    try {
      const hostile = submit(app, "off-loop", body(hostileSteps())).then((response) => {
        events.push("response");
        return response;
      });
      await gradingStarted;
      for (let i = 0; i < 5; i++) {
        const health = await http(`${app.url}/health`);
        events.push(`health ${health.status}`);
      }
      const response = await hostile;
      expect(events).toEqual([...Array(5).fill("health 200"), "graded", "response"]);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: "failed", hidden: { categories: ["unknown_error"] } });
      expect(JSON.stringify(response.body.visible.details)).toMatch(/time limit/);
    } finally {
      delete (evaluator as Partial<Evaluator>).evaluateMath; // back to the class's own method
    }
  });
});
