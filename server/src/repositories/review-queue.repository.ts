import type { Subject } from "@co/shared";
import { and, count, eq, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { reviewQueue, submissions } from "../db/schema/index.js";

export interface ReviewTarget {
  userId: string;
  problemId: string;
  subject: Subject;
  track: string | null;
}

export type ReviewRow = typeof reviewQueue.$inferSelect;

/** The columns a scheduler decides: the placement and (FSRS) the card. */
export type ReviewPlacement = Pick<ReviewRow, "nextDueAt" | "bucket"> &
  Partial<Pick<ReviewRow, "reason" | "stability" | "difficulty" | "state" | "reps" | "lapses" | "lastReview" | "scheduledDays" | "learningSteps">>;

const whereTarget = (target: ReviewTarget) => and(eq(reviewQueue.userId, target.userId), eq(reviewQueue.problemId, target.problemId));

/**
 * The statements of the review queue, one row per (user, problem) kept by the unique key.
 * Which placement a problem gets is the schedulers' business (services/learning).
 */
export class ReviewQueueRepository {
  /** The row, locked until the transaction ends; null when the problem has none. */
  async lock(db: DbOrTx, target: ReviewTarget): Promise<ReviewRow | null> {
    const [row] = await db.select().from(reviewQueue).where(whereTarget(target)).for("update");
    return row ?? null;
  }

  /**
   * Makes sure the problem has a row (unqueued, no card yet) and locks it: concurrent
   * first attempts then serialise on it instead of both inserting.
   */
  async lockOrCreate(db: DbOrTx, target: ReviewTarget, now: Date): Promise<ReviewRow> {
    await db
      .insert(reviewQueue)
      .values({ ...target, reason: null, nextDueAt: now, bucket: 0 })
      .onConflictDoNothing({ target: [reviewQueue.userId, reviewQueue.problemId] });
    return (await this.lock(db, target))!;
  }

  /** Inserts or overwrites the problem's placement in one atomic statement. */
  async upsert(db: DbOrTx, target: ReviewTarget, placement: ReviewPlacement): Promise<void> {
    await db
      .insert(reviewQueue)
      .values({ ...target, ...placement })
      .onConflictDoUpdate({ target: [reviewQueue.userId, reviewQueue.problemId], set: placement });
  }

  async update(db: DbOrTx, target: ReviewTarget, placement: ReviewPlacement): Promise<void> {
    await db.update(reviewQueue).set(placement).where(whereTarget(target));
  }

  async remove(db: DbOrTx, target: ReviewTarget): Promise<void> {
    await db.delete(reviewQueue).where(whereTarget(target));
  }

  /** Graded attempts on the problem earlier in this session (all but `excludeSubmissionId`), and how many failed. */
  async sessionAttempts(db: DbOrTx, sessionId: string, problemId: string, excludeSubmissionId: string) {
    const [row] = await db
      .select({
        attempts: count(),
        failures: count(sql`case when ${submissions.status} <> 'passed' then 1 end`),
      })
      .from(submissions)
      .where(and(eq(submissions.sessionId, sessionId), eq(submissions.problemId, problemId), ne(submissions.id, excludeSubmissionId)));
    return { attempts: row?.attempts ?? 0, failures: row?.failures ?? 0 };
  }
}
