import { createEmptyCard, fsrs, Rating, State, type Card, type FSRS, type Grade } from "ts-fsrs";
import type { ReviewRating } from "./review-rating.js";

/**
 * FSRS review scheduling through ts-fsrs. A card holds only the fields ts-fsrs 5 does not
 * deprecate: `elapsed_days` (removed in ts-fsrs 6) is never stored; ts-fsrs derives the
 * elapsed time from `last_review`.
 */
export interface CardState {
  due: Date;
  stability: number;
  difficulty: number;
  state: CardPhase;
  reps: number;
  lapses: number;
  lastReview: Date | null;
  scheduledDays: number;
  learningSteps: number;
}

export const CARD_PHASES = ["new", "learning", "review", "relearning"] as const;
export type CardPhase = (typeof CARD_PHASES)[number];

const phaseOf: Record<State, CardPhase> = {
  [State.New]: "new",
  [State.Learning]: "learning",
  [State.Review]: "review",
  [State.Relearning]: "relearning",
};
const stateOf: Record<CardPhase, State> = { new: State.New, learning: State.Learning, review: State.Review, relearning: State.Relearning };
const gradeOf: Record<ReviewRating, Grade> = { again: Rating.Again, hard: Rating.Hard, good: Rating.Good, easy: Rating.Easy };

function toCard(card: CardState): Card {
  return {
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    // Deprecated and ignored by the ts-fsrs 5 scheduler (it reads last_review); required by the type.
    elapsed_days: 0,
    scheduled_days: card.scheduledDays,
    learning_steps: card.learningSteps,
    reps: card.reps,
    lapses: card.lapses,
    state: stateOf[card.state],
    ...(card.lastReview ? { last_review: card.lastReview } : {}),
  };
}

function fromCard(card: Card): CardState {
  return {
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    state: phaseOf[card.state],
    reps: card.reps,
    lapses: card.lapses,
    lastReview: card.last_review ?? null,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
  };
}

export interface FsrsSchedule {
  /** The card after reviewing it `now` with that rating; `card` null: the problem's first review. */
  review(card: CardState | null, rating: ReviewRating, now: Date): CardState;
  /** FSRS's predicted probability of recall at `now` (1 for a card never reviewed). */
  retrievability(card: CardState, now: Date): number;
}

/**
 * Default FSRS-6 weights, no fuzz (due dates are reproducible), and no same-day learning
 * steps: a problem is re-attempted on a later day, not ten minutes later, so FSRS manages
 * every interval in days.
 */
export function createFsrsSchedule(options: { retention: number }): FsrsSchedule {
  const scheduler: FSRS = fsrs({ request_retention: options.retention, enable_fuzz: false, enable_short_term: false });
  return {
    review(card, rating, now) {
      const current = card ? toCard(card) : createEmptyCard(now);
      return fromCard(scheduler.next(current, now, gradeOf[rating]).card);
    },
    retrievability(card, now) {
      if (card.state === "new" || !card.lastReview) return 1;
      return scheduler.get_retrievability(toCard(card), now, false);
    },
  };
}
