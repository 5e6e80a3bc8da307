/** What an attempt says about the learner's recall of that problem: the FSRS grade. */
export type ReviewRating = "again" | "hard" | "good" | "easy";

export interface AttemptOutcome {
  passed: boolean;
  /** The highest tutor hint level the session reached on this problem (0–3). */
  hintLevel: number;
  /** Whether the same session graded this problem before. */
  attemptedBefore: boolean;
  /** Whether one of those earlier attempts failed. */
  failedBefore: boolean;
}

/**
 * The rating mapping: a failure is a lapse (Again); a pass that needed the concept or
 * step-by-step hint (level 2–3), or came after a failure in the same session, was
 * recalled with effort (Hard); a first-try pass with no hint at all is Easy; any other
 * pass (a nudge, or a second try after an error that did not fail) is Good.
 */
export function ratingOf(attempt: AttemptOutcome): ReviewRating {
  if (!attempt.passed) return "again";
  if (attempt.hintLevel >= 2 || attempt.failedBefore) return "hard";
  if (!attempt.attemptedBefore && attempt.hintLevel === 0) return "easy";
  return "good";
}
