/**
 * Wall-clock budget of one math grading. A pathological answer (50 steps of 2 KiB that
 * oscillate, each needing a root grid and bisections) must not hold a math worker for long:
 * the budget is checked inside every sampling, grid and bisection loop, and once it is spent
 * the grading stops with `MathBudgetExceeded`. Behind it, the pool terminates a worker that
 * is still busy `MATH_KILL_MARGIN_MS` later (a single mathjs call the checks cannot reach).
 */
export const MATH_BUDGET_MS = 2000;

/** Extra wall-clock time a math worker gets beyond the budget before it is terminated. */
export const MATH_KILL_MARGIN_MS = 1000;

/** The verdict of a grading that ran out of time: neither right nor wrong, no `errorType` (§8.4 `unknown_error`). */
export function outOfTime(budgetMs: number): { correct: false; feedback: string } {
  return {
    correct: false,
    feedback: `The answer could not be checked within the ${budgetMs / 1000} s time limit; simplify the expressions or use fewer steps.`,
  };
}

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
