import type { Subject } from "@co/shared";
import { and, eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { reviewQueue } from "../db/schema/index.js";

interface ReviewTarget {
  userId: string;
  problemId: string;
  subject: Subject;
  track: string | null;
}

const DAY_MS = 86_400_000;

/**
 * Spaced repetition (§8.4): a failure puts the problem in bucket 0, due after
 * `buckets[0]` days; a pass moves it one bucket on, or out past the last one.
 * One row per (user, problem), kept by the unique key and upserts.
 */
export class ReviewQueueRepository {
  constructor(private readonly buckets: number[]) {}

  async recordFailure(db: DbOrTx, target: ReviewTarget, now: Date): Promise<void> {
    const due = new Date(now.getTime() + this.buckets[0]! * DAY_MS);
    await db
      .insert(reviewQueue)
      .values({ ...target, reason: "fail", bucket: 0, nextDueAt: due })
      .onConflictDoUpdate({
        target: [reviewQueue.userId, reviewQueue.problemId],
        set: { reason: "fail", bucket: 0, nextDueAt: due },
      });
  }

  async recordPass(db: DbOrTx, target: ReviewTarget, now: Date): Promise<void> {
    const where = and(eq(reviewQueue.userId, target.userId), eq(reviewQueue.problemId, target.problemId));
    const last = this.buckets.length - 1;
    await db.delete(reviewQueue).where(and(where, sql`${reviewQueue.bucket} >= ${last}`));
    // Interval of the next bucket, looked up in SQL so the move is one atomic statement.
    const intervals = sql.raw(`ARRAY[${this.buckets.map((days) => Number(days)).join(",")}]::float8[]`);
    await db
      .update(reviewQueue)
      .set({
        bucket: sql`${reviewQueue.bucket} + 1`,
        nextDueAt: sql`${now.toISOString()}::timestamptz + (${intervals})[${reviewQueue.bucket} + 2] * interval '1 day'`,
      })
      .where(where);
  }
}
