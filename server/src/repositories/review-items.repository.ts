import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { reviewQueue } from "../db/schema/index.js";

export type ReviewItemRow = Pick<typeof reviewQueue.$inferSelect, "problemId" | "reason" | "nextDueAt" | "bucket">;

const columns = {
  problemId: reviewQueue.problemId,
  reason: reviewQueue.reason,
  nextDueAt: reviewQueue.nextDueAt,
  bucket: reviewQueue.bucket,
};
const earliestFirst = [asc(reviewQueue.nextDueAt), asc(reviewQueue.problemId)];

/** Read side of the caller's review queue, for study progress and `reviewDue`. */
export class ReviewItemsRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Items due at `now` or before, earliest first. */
  listDue(userId: string, now: Date, limit: number): Promise<ReviewItemRow[]> {
    return this.db
      .select(columns)
      .from(reviewQueue)
      .where(and(eq(reviewQueue.userId, userId), lte(reviewQueue.nextDueAt, now)))
      .orderBy(...earliestFirst)
      .limit(limit);
  }

  /**
   * The first `limit` items of one track, earliest first, and how many of all its items
   * are due at `now` (a window count, so one query).
   */
  async forTrack(userId: string, track: string, now: Date, limit: number): Promise<{ items: ReviewItemRow[]; due: number }> {
    const rows = await this.db
      .select({
        ...columns,
        due: sql<number>`(count(*) filter (where ${reviewQueue.nextDueAt} <= ${now.toISOString()}::timestamptz) over ())::int`.mapWith(Number),
      })
      .from(reviewQueue)
      .where(and(eq(reviewQueue.userId, userId), eq(reviewQueue.track, track)))
      .orderBy(...earliestFirst)
      .limit(limit);
    return { items: rows.map(({ due: _due, ...item }) => item), due: rows[0]?.due ?? 0 };
  }
}
