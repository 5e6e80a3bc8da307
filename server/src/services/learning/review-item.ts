import type { ReviewItem } from "@co/shared";
import type { ReviewItemRow } from "../../repositories/review-items.repository.js";
import { createFsrsSchedule } from "./fsrs-schedule.js";
import { cardOf } from "./review-scheduler.js";

// Recall now depends on the card and FSRS's weights only, not on the desired retention.
const schedule = createFsrsSchedule({ retention: 0.9 });

/** A queued review item as clients see it, with FSRS's recall prediction at `now`. */
export function toReviewItem(row: ReviewItemRow, now: Date): ReviewItem {
  const card = cardOf(row);
  return {
    problem_id: row.problemId,
    reason: row.reason,
    next_due_at: row.nextDueAt,
    bucket: row.bucket,
    retrievability: card ? schedule.retrievability(card, now) : null,
    stability: card ? card.stability : null,
  };
}
