import type { CardPlacement, LockedReview, ReviewPlacement, ReviewRow } from "../../repositories/review-queue.repository.js";
import { afterFailure, afterPass } from "./bucket-schedule.js";
import type { CardState, FsrsSchedule } from "./fsrs-schedule.js";
import type { ReviewRating } from "./review-rating.js";

/** A stored row's FSRS card; null when it has none (a row the bucket scheduler wrote, or a new one). */
export function cardOf(row: Pick<ReviewRow, "stability" | "difficulty" | "state" | "reps" | "lapses" | "lastReview" | "scheduledDays" | "learningSteps" | "nextDueAt">): CardState | null {
  if (row.stability === null || row.difficulty === null || row.state === null) return null;
  return {
    due: row.nextDueAt,
    stability: row.stability,
    difficulty: row.difficulty,
    state: row.state,
    reps: row.reps,
    lapses: row.lapses,
    lastReview: row.lastReview,
    scheduledDays: row.scheduledDays,
    learningSteps: row.learningSteps,
  };
}

/**
 * FSRS placement after a graded attempt: the card is reviewed with the attempt's rating
 * and `next_due_at` becomes its due date. A failure queues the problem (reason `fail`);
 * a problem already queued stays queued; a problem passed without ever failing is queued
 * (reason `retention`) only when retention reviews are on, else its card is kept unqueued.
 * `bucket` counts the passes since the last failure, as under buckets.
 */
export function fsrsPlacement(
  row: LockedReview,
  rating: ReviewRating,
  now: Date,
  schedule: FsrsSchedule,
  retentionReviews: boolean,
): CardPlacement {
  const card = schedule.review(cardOf(row), rating, now);
  const failed = rating === "again";
  const reason = failed ? "fail" : (row.reason ?? (retentionReviews ? "retention" : null));
  return {
    reason,
    nextDueAt: card.due,
    bucket: failed ? 0 : row.reason === null ? 0 : row.bucket + 1,
    stability: card.stability,
    difficulty: card.difficulty,
    state: card.state,
    reps: card.reps,
    lapses: card.lapses,
    lastReview: card.lastReview,
    scheduledDays: card.scheduledDays,
    learningSteps: card.learningSteps,
  };
}

/** Bucket placement (§8.4): `remove` when a pass moves the problem past the last bucket. */
export function bucketPlacement(buckets: readonly number[], row: Pick<ReviewRow, "bucket"> | null, passed: boolean, now: Date): ReviewPlacement | "remove" | "none" {
  if (!passed) return { reason: "fail", ...placementOf(afterFailure(buckets, now)) };
  if (!row) return "none";
  const next = afterPass(buckets, row.bucket, now);
  return next ? placementOf(next) : "remove";
}

const placementOf = (placement: { bucket: number; due: Date }) => ({ bucket: placement.bucket, nextDueAt: placement.due });
