import { createEmptyCard, fsrs, Rating } from "ts-fsrs";
import { describe, expect, it } from "vitest";
import type { ReviewRow } from "../../server/src/repositories/review-queue.repository.js";
import { afterFailure, afterPass } from "../../server/src/services/learning/bucket-schedule.js";
import { createFsrsSchedule } from "../../server/src/services/learning/fsrs-schedule.js";
import { ratingOf } from "../../server/src/services/learning/review-rating.js";
import { bucketPlacement, cardOf, fsrsPlacement } from "../../server/src/services/learning/review-scheduler.js";

const NOW = new Date("2026-03-01T09:00:00Z");
const DAY = 86_400_000;
const daysAfter = (date: Date, from = NOW) => (date.getTime() - from.getTime()) / DAY;

describe("the rating mapping", () => {
  const pass = { passed: true, hintLevel: 0, attemptedBefore: false, failedBefore: false };
  it("a failure is Again, whatever the hints", () => {
    expect(ratingOf({ ...pass, passed: false })).toBe("again");
    expect(ratingOf({ ...pass, passed: false, hintLevel: 3 })).toBe("again");
  });
  it("a pass after a level-2 or level-3 hint, or after a failure in the session, is Hard", () => {
    expect(ratingOf({ ...pass, hintLevel: 2 })).toBe("hard");
    expect(ratingOf({ ...pass, hintLevel: 3 })).toBe("hard");
    expect(ratingOf({ ...pass, attemptedBefore: true, failedBefore: true })).toBe("hard");
  });
  it("a first-try pass with no hint is Easy; a nudge or a second try without a failure is Good", () => {
    expect(ratingOf(pass)).toBe("easy");
    expect(ratingOf({ ...pass, hintLevel: 1 })).toBe("good");
    expect(ratingOf({ ...pass, attemptedBefore: true })).toBe("good");
  });
});

describe("FSRS due dates through ts-fsrs (default FSRS-6 weights, retention 0.9, no fuzz)", () => {
  const schedule = createFsrsSchedule({ retention: 0.9 });

  it("a first review is due after 1, 2, 3 or 8 days for Again, Hard, Good, Easy", () => {
    const due = (["again", "hard", "good", "easy"] as const).map((rating) => daysAfter(schedule.review(null, rating, NOW).due));
    expect(due).toEqual([1, 2, 3, 8]);
  });

  it("agrees with ts-fsrs called directly, and a Good on the due day grows the interval (3 → 14 days)", () => {
    const first = schedule.review(null, "good", NOW);
    const direct = fsrs({ request_retention: 0.9, enable_fuzz: false, enable_short_term: false }).next(createEmptyCard(NOW), NOW, Rating.Good).card;
    expect(first.due).toEqual(direct.due);
    expect(first.stability).toBeCloseTo(direct.stability, 12);
    const second = schedule.review(first, "good", first.due);
    expect(daysAfter(second.due, first.due)).toBe(14);
    expect(second.reps).toBe(2);
    expect(schedule.retrievability(first, first.due)).toBeCloseTo(0.9, 1);
  });

  it("a lower desired retention schedules the same card later", () => {
    const card = schedule.review(null, "good", NOW);
    const relaxed = createFsrsSchedule({ retention: 0.8 }).review(card, "good", card.due);
    expect(relaxed.due.getTime()).toBeGreaterThan(schedule.review(card, "good", card.due).due.getTime());
  });

  it("recall falls as time passes: 1 before any review, lower a month after than on the due day", () => {
    const card = schedule.review(null, "good", NOW);
    expect(schedule.retrievability({ ...card, state: "new", lastReview: null }, NOW)).toBe(1);
    expect(schedule.retrievability(card, new Date(NOW.getTime() + 30 * DAY))).toBeLessThan(schedule.retrievability(card, card.due));
  });
});

const emptyRow = (overrides: Partial<ReviewRow> = {}): ReviewRow => ({
  id: "00000000-0000-0000-0000-000000000000",
  userId: "u",
  problemId: "p",
  subject: "coding",
  track: null,
  reason: null,
  nextDueAt: NOW,
  bucket: 0,
  stability: null,
  difficulty: null,
  state: null,
  reps: 0,
  lapses: 0,
  lastReview: null,
  scheduledDays: 0,
  learningSteps: 0,
  createdAt: NOW,
  ...overrides,
});

describe("FSRS placement in the review queue", () => {
  const schedule = createFsrsSchedule({ retention: 0.9 });

  it("a failure queues the problem (reason fail, bucket 0) at the card's due date", () => {
    const placement = fsrsPlacement(emptyRow(), "again", NOW, schedule, false);
    expect(placement).toMatchObject({ reason: "fail", bucket: 0, lapses: 0, reps: 1, state: "review" });
    expect(daysAfter(placement.nextDueAt)).toBe(1);
  });

  it("a pass keeps a queued problem queued and counts the pass; a never-failed pass is queued only with retention reviews", () => {
    const queued = emptyRow({ ...fsrsPlacement(emptyRow(), "again", NOW, schedule, false) } as Partial<ReviewRow>);
    expect(fsrsPlacement(queued, "good", queued.nextDueAt, schedule, false)).toMatchObject({ reason: "fail", bucket: 1 });
    expect(fsrsPlacement(emptyRow(), "easy", NOW, schedule, false).reason).toBeNull();
    expect(fsrsPlacement(emptyRow(), "easy", NOW, schedule, true).reason).toBe("retention");
  });

  it("a row without card columns is a new card", () => {
    expect(cardOf(emptyRow())).toBeNull();
  });
});

describe("the bucket schedule (CO_REVIEW_SCHEDULER=buckets)", () => {
  const buckets = [1, 3, 7, 21];
  it("a failure goes to bucket 0 due in buckets[0] days; each pass moves one on; past the last it leaves", () => {
    expect(afterFailure(buckets, NOW)).toEqual({ bucket: 0, due: new Date(NOW.getTime() + DAY) });
    expect(afterPass(buckets, 0, NOW)).toEqual({ bucket: 1, due: new Date(NOW.getTime() + 3 * DAY) });
    expect(afterPass(buckets, 2, NOW)).toEqual({ bucket: 3, due: new Date(NOW.getTime() + 21 * DAY) });
    expect(afterPass(buckets, 3, NOW)).toBeNull();
  });
  it("a pass on a problem not in the queue changes nothing", () => {
    expect(bucketPlacement(buckets, null, true, NOW)).toBe("none");
    expect(bucketPlacement(buckets, { bucket: 3 }, true, NOW)).toBe("remove");
    expect(bucketPlacement(buckets, null, false, NOW)).toMatchObject({ reason: "fail", bucket: 0 });
  });
});
