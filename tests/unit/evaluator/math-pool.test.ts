import { afterAll, describe, expect, it } from "vitest";
import { LocalEvaluator } from "../../../server/src/adapters/evaluator/local/local-evaluator.js";
import { MathPool } from "../../../server/src/adapters/evaluator/local/math-pool.js";
import { AppError } from "../../../server/src/errors/app-error.js";
import type { MathEvaluationRequest } from "../../../server/src/ports/evaluator.js";

const request = (userAnswer: string, userSteps: string[] = []): MathEvaluationRequest => ({
  problemId: "eq-pool",
  problemType: "equation",
  userAnswer,
  userSteps,
  expectedAnswer: "2, 3",
  variables: ["x"],
  tolerance: 1e-6,
});

/** 50 steps of ~2 KiB oscillating terms: far more work than any limit below lets it do. */
function hostileSteps(): string[] {
  const balanced = (terms: string[]): string =>
    terms.length === 1 ? terms[0]! : `(${balanced(terms.slice(0, terms.length >> 1))}+${balanced(terms.slice(terms.length >> 1))})`;
  return Array(50).fill(`${balanced(Array.from({ length: 60 }, (_, i) => `sin(${i + 1}*x)`))} = 0`);
}

const ordinary = request("2, 3", ["x^2 - 5x + 6 = 0", "(x - 2)(x - 3) = 0"]);
// A budget the grader never reaches, so only the pool's wall-clock stop can end the hostile grading.
const noBudget = { budgetMs: 600_000, hardStopMs: 600_000 };

describe("math worker pool", () => {
  const pool = new MathPool({ size: 1 });
  afterAll(() => pool.close());

  it("when a worker is still busy at the hard stop, it is terminated and replaced, and the next grading works", { timeout: 90_000 }, async () => {
    expect(await pool.run(ordinary, noBudget)).toMatchObject({ correct: true });
    const [first] = pool.threadIds;

    const stopped = await pool.run(request("2, 3", hostileSteps()), { budgetMs: 600_000, hardStopMs: 500 });
    expect(stopped.correct).toBe(false);
    expect(stopped.errorType).toBeUndefined();
    expect(stopped.feedback).toMatch(/could not be checked/);
    expect(pool.threadIds).toHaveLength(1);
    expect(pool.threadIds).not.toContain(first);

    expect(await pool.run(ordinary, noBudget)).toMatchObject({ correct: true });
    expect(await pool.run(request("2, 4"), noBudget)).toMatchObject({ correct: false, errorType: "wrong_answer" });
  });

  it("when a grading is aborted mid-way, it rejects with the reason and a fresh worker grades the next one", { timeout: 90_000 }, async () => {
    expect(await pool.run(ordinary, noBudget)).toMatchObject({ correct: true });
    const [busy] = pool.threadIds;
    const controller = new AbortController();
    const grading = pool.run(request("2, 3", hostileSteps()), noBudget, controller.signal);
    controller.abort(new Error("client went away"));
    await expect(grading).rejects.toThrow("client went away");
    expect(pool.threadIds).not.toContain(busy);
    expect(await pool.run(ordinary, noBudget)).toMatchObject({ correct: true });
  });

  it("when the grader throws an AppError in the worker, the caller gets an AppError with its code", async () => {
    const error = await pool.run({ ...ordinary, variables: ["x", "y"] }, noBudget).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", details: { problemId: "eq-pool" } });
    expect(await pool.run(ordinary, noBudget)).toMatchObject({ correct: true });
  });

  it("when gradings arrive faster than the workers, they queue and each gets its own verdict", async () => {
    const answers = ["2, 3", "3, 2", "2", "x = 2 or x = 3"];
    const results = await Promise.all(answers.map((answer) => pool.run(request(answer), noBudget)));
    expect(results.map((result) => result.correct)).toEqual([true, true, false, true]);
  });
});

describe("local evaluator, math pool lifecycle", () => {
  it("after close(), math grading is refused as unavailable", async () => {
    const evaluator = new LocalEvaluator({ mathPoolSize: 1 });
    expect(await evaluator.evaluateMath(ordinary)).toMatchObject({ correct: true });
    await evaluator.close();
    await expect(evaluator.evaluateMath(ordinary)).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });

  it("when the pool is closed with gradings queued, they are rejected as unavailable", async () => {
    const pool = new MathPool({ size: 1 });
    const queued = Promise.allSettled([pool.run(ordinary, noBudget), pool.run(ordinary, noBudget)]);
    await pool.close();
    for (const outcome of await queued) expect(outcome).toMatchObject({ status: "rejected", reason: { code: "UNAVAILABLE" } });
    expect(pool.threadIds).toEqual([]);
  });
});
