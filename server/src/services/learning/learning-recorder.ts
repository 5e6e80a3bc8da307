import type { Subject } from "@co/shared";
import type { LearningConfig } from "../../config/config.js";
import type { DbOrTx } from "../../db/database.js";
import { executeTogether } from "../../db/statements-together.js";
import { lockMastery, masteryUpdate, type MasteryKey } from "../../repositories/mastery.repository.js";
import { difficultyUpdate, lockDifficulty } from "../../repositories/problem-difficulty.repository.js";
import type { EarlierAttempts, LockedReview, ReviewQueueRepository, ReviewTarget } from "../../repositories/review-queue.repository.js";
import { EMA_START, scoreOf } from "./ema.js";
import { betaOfDifficulty } from "./elo.js";
import { createFsrsSchedule, type FsrsSchedule } from "./fsrs-schedule.js";
import { applyObservation } from "./mastery-update.js";
import { ratingOf } from "./review-rating.js";
import { bucketPlacement, fsrsPlacement } from "./review-scheduler.js";

export interface GradedAttempt {
  userId: string;
  sessionId: string;
  submissionId: string;
  /** The session's hint level when the attempt was graded (0–3). */
  hintLevel: number;
  passed: boolean;
  problem: { id: string; subject: Subject; track: string | null; difficulty: number; topics: string[]; outcomes: string[] };
}

interface ReviewReading {
  /** The locked review row; null under buckets when a failure needs none. */
  row: LockedReview | null;
  /** FSRS only: whether the session graded the problem before, and whether one of those failed. */
  earlier?: EarlierAttempts;
}

/**
 * What a graded attempt teaches the CO, written inside the submission's transaction:
 * mastery (EMA and Elo θ) of every key of the problem, the problem's β, and its review
 * card. Rows are locked in one order — the learner's mastery keys sorted, then the
 * (user, problem) review row, then the problem's difficulty — so concurrent submissions
 * serialise instead of losing an update or deadlocking.
 *
 * The statements go out in two pipelined rounds, not one round trip each: every lock and
 * read at once, then the writes. postgres.js sends a transaction's statements on its one
 * connection in the order they are issued, and the server runs them in that order, so the
 * lock order above holds; the first statement to fail rejects the round (later ones fail as
 * the transaction is aborted) and the transaction rolls back. Every row the writes touch is
 * locked by then, so they go as one statement (db/statements-together.ts), whose parts may
 * run in any order.
 */
export class LearningRecorder {
  private readonly fsrs: FsrsSchedule;

  constructor(
    private readonly reviews: ReviewQueueRepository,
    private readonly config: LearningConfig,
    private readonly buckets: readonly number[],
  ) {
    this.fsrs = createFsrsSchedule({ retention: config.retention });
  }

  async record(tx: DbOrTx, attempt: GradedAttempt, now: Date): Promise<void> {
    const { problem } = attempt;
    const observation = attempt.passed ? 1 : 0;
    const keys: MasteryKey[] = [
      ...problem.topics.map((keyId) => ({ keyType: "topic" as const, keyId })),
      ...problem.outcomes.map((keyId) => ({ keyType: "outcome" as const, keyId })),
    ];
    const target = { userId: attempt.userId, problemId: problem.id, subject: problem.subject, track: problem.track };
    const [current, review, difficulty] = await Promise.all([
      lockMastery(tx, attempt.userId, keys, { ema: EMA_START, score: scoreOf(EMA_START), skill: 0 }, now),
      this.readReview(tx, target, attempt, now),
      // The problem's β row is the one every learner of the problem shares: it is locked last,
      // so it is held for the fewest statements before the commit.
      lockDifficulty(tx, target, betaOfDifficulty(problem.difficulty), now),
    ]);
    const next = applyObservation(current, difficulty, observation, this.config.elo);
    const learned = [masteryUpdate(attempt.userId, next.keys, now), difficultyUpdate(problem.id, next.difficulty, now)];
    if (this.config.scheduler === "buckets") {
      await Promise.all([executeTogether(tx, learned), this.writeBucketReview(tx, target, attempt, review.row, now)]);
      return;
    }
    await executeTogether(tx, [...learned, this.cardUpdate(target, attempt, review, now)]);
  }

  /** The review row (locked) and, under FSRS, the session's earlier attempts that rate this one. */
  private readReview(tx: DbOrTx, target: ReviewTarget, attempt: GradedAttempt, now: Date): Promise<ReviewReading> {
    if (this.config.scheduler === "buckets") {
      return attempt.passed ? this.reviews.lock(tx, target).then((row) => ({ row })) : Promise.resolve({ row: null });
    }
    const locked = this.reviews.lockOrCreate(tx, target, now);
    const earlier = this.reviews.earlierInSession(tx, attempt.sessionId, target.problemId, attempt.submissionId);
    return Promise.all([locked, earlier]).then(([row, attempts]) => ({ row, earlier: attempts }));
  }

  /** Under buckets the review row may be inserted or removed rather than updated: its own statement. */
  private async writeBucketReview(tx: DbOrTx, target: ReviewTarget, attempt: GradedAttempt, row: LockedReview | null, now: Date): Promise<void> {
    const placement = bucketPlacement(this.buckets, row, attempt.passed, now);
    if (placement === "remove") await this.reviews.remove(tx, target);
    else if (placement !== "none") await (attempt.passed ? this.reviews.update(tx, target, placement) : this.reviews.upsert(tx, target, placement));
  }

  /** Under FSRS: the card's next placement, rated from this attempt and the session's earlier ones. */
  private cardUpdate(target: ReviewTarget, attempt: GradedAttempt, reading: ReviewReading, now: Date) {
    const earlier = reading.earlier!;
    const rating = ratingOf({ passed: attempt.passed, hintLevel: attempt.hintLevel, attemptedBefore: earlier.attempted, failedBefore: earlier.failed });
    return this.reviews.cardUpdate(target, fsrsPlacement(reading.row!, rating, now, this.fsrs, this.config.retentionReviews));
  }
}
