import type { Subject } from "@co/shared";

/** The problem as a tutor may see it: no solution, no hidden tests, no reference code. */
export interface TutorProblem {
  id: string;
  subject: Subject;
  title: string;
  /** Markdown. */
  statement: string;
  type: string;
  topics: string[];
  /** Authored hints by level; only the local ladder uses them. */
  hints: { "1": string; "2": string; "3": string };
}

/** One failing visible test (coding) or the evaluator's feedback (math). */
export interface VisibleFailure {
  input?: unknown;
  expected?: unknown;
  actual?: unknown;
  message?: string;
  feedback?: string;
}

/** The learner's last evaluation, reduced to what a tutor may use. */
export interface LearnerEvaluation {
  status: "passed" | "failed" | "timeout" | "error";
  categories: string[];
  firstFailure: VisibleFailure | null;
  message?: string;
}

export interface TutorRequest {
  turnId: string;
  problem: TutorProblem;
  hintLevel: 1 | 2 | 3;
  /** What this level allows (§8.6): nudge, concepts, or steps. */
  instruction: string;
  lastEval: LearnerEvaluation | null;
  message: string | null;
}

export type TutorChunk =
  | { type: "delta"; content: string }
  | { type: "end"; finishReason: string; tokens: number | null }
  /** The provider sent something that carries no content (a role-only or empty chunk, a ping, a comment): it is alive. */
  | { type: "alive" };

/**
 * A hint generator: the local hint ladder, the Tutor API relay or an OpenAI-compatible model.
 * `generate` yields markdown deltas and at most one `end`, and `alive` for every other
 * message of the provider (the caller's time-out counts from the last byte); it throws an `AppError`
 * (UPSTREAM_ERROR / UPSTREAM_TIMEOUT) on failure and stops promptly when `signal` aborts.
 */
export interface Tutor {
  /** Recorded in `tutor_turns.provider`. */
  readonly provider: string;
  generate(request: TutorRequest, signal: AbortSignal): AsyncIterable<TutorChunk>;
}
