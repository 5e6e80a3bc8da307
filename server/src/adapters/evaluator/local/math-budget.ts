/**
 * Wall-clock budget of one math grading. Math runs in the API process, so a pathological
 * answer (50 steps of 2 KiB that oscillate, each needing a root grid and bisections) must
 * not hold the event loop: the budget is checked inside every sampling, grid and bisection
 * loop, and once it is spent the grading stops with `MathBudgetExceeded`.
 */
export const MATH_BUDGET_MS = 2000;

/** Thrown from inside the grading loops when the budget is spent; caught by `evaluateMath`. */
export class MathBudgetExceeded extends Error {
  constructor(readonly budgetMs: number) {
    super(`Math grading exceeded its ${budgetMs} ms budget`);
    this.name = "MathBudgetExceeded";
  }
}

export class MathDeadline {
  private readonly at: number;

  constructor(readonly budgetMs: number = MATH_BUDGET_MS) {
    this.at = performance.now() + budgetMs;
  }

  /** Throws `MathBudgetExceeded` once the budget is spent; cheap enough to call per evaluation. */
  check(): void {
    if (performance.now() > this.at) throw new MathBudgetExceeded(this.budgetMs);
  }
}
