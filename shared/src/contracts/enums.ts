/**
 * Every enumeration of the contract, written once. The zod schemas in `shared` and the
 * Drizzle columns and CHECK constraints in `server/src/db/schema` are both built from
 * these tuples, so a value added here reaches the API, the database and the document.
 */
export const SUBJECTS = ["coding", "math", "systems"] as const;
/** The subjects a submission is graded in; `systems` essays are tutored, not graded. */
export const GRADED_SUBJECTS = ["coding", "math"] as const;
export const PROBLEM_TYPES = ["coding", "expression", "equation", "essay"] as const;
export const LANGUAGES = ["python", "javascript"] as const;
export const COMPARE_MODES = ["exact", "unordered", "float"] as const;
export const SESSION_MODES = ["practice", "mock", "track"] as const;
export const SESSION_STATUSES = ["active", "completed", "abandoned"] as const;
export const SESSION_ACTIONS = ["advance", "retry", "giveup"] as const;
export const SUBMISSION_STATUSES = ["passed", "failed", "timeout", "error"] as const;
export const MASTERY_KEY_TYPES = ["topic", "outcome"] as const;
export const REVIEW_REASONS = ["fail", "slow", "heavy-hint", "mock-gap", "retention"] as const;
export const STUDY_PATH_STATUSES = ["active", "completed", "archived"] as const;
export const TASK_STATUSES = ["scheduled", "in_progress", "completed", "skipped", "expired"] as const;
export const TASK_EVENT_TYPES = [
  "created",
  "started",
  "submitted",
  "evaluated",
  "hint_requested",
  "tutor_interaction",
  "status_changed",
] as const;
export const TUTOR_TURN_STATUSES = ["streaming", "completed", "failed", "cancelled"] as const;
/** Hint levels: 1 a nudge, 2 concepts, 3 step by step. */
export const HINT_LEVELS = [1, 2, 3] as const;

/** Failure categories of §8.4: coding first, then math. */
export const CODING_FAILURE_CATEGORIES = ["timeout", "compile_error", "runtime_error", "logic_error", "edge_cases", "minor_issues"] as const;
export const MATH_FAILURE_CATEGORIES = ["incorrect_answer", "incomplete_solution", "incorrect_method", "syntax_error", "unknown_error"] as const;
export const FAILURE_CATEGORIES = [...CODING_FAILURE_CATEGORIES, ...MATH_FAILURE_CATEGORIES] as const;
/** Why a coding attempt did not run to completion (`feedback.error_kind`). */
export const EVALUATION_ERROR_KINDS = ["compile", "runtime", "memory", "timeout"] as const;

export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];
