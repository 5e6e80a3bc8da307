import { and, asc, eq, isNotNull, lte, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { reviewQueue } from "../db/schema/index.js";

type Row = typeof reviewQueue.$inferSelect;
/** A queued item (`reason` set) with its FSRS card, if any. */
export type ReviewItemRow = Pick<
  Row,
  "problemId" | "nextDueAt" | "bucket" | "stability" | "difficulty" | "state" | "reps" | "lapses" | "lastReview" | "scheduledDays" | "learningSteps"
> & { reason: NonNullable<Row["reason"]> };

const columns = {
  problemId: reviewQueue.problemId,
  reason: sql<ReviewItemRow["reason"]>`${reviewQueue.reason}`,
  nextDueAt: reviewQueue.nextDueAt,
  bucket: reviewQueue.bucket,
  stability: reviewQueue.stability,
  difficulty: reviewQueue.difficulty,
  state: reviewQueue.state,
  reps: reviewQueue.reps,
  lapses: reviewQueue.lapses,
  lastReview: reviewQueue.lastReview,
  scheduledDays: reviewQueue.scheduledDays,
  learningSteps: reviewQueue.learningSteps,
};
/** Rows with no reason hold a card only: they are not in the queue. */
const queued = isNotNull(reviewQueue.reason);
const earliestFirst = [asc(reviewQueue.nextDueAt), asc(reviewQueue.problemId)];

/** Read side of the caller's review queue, for study progress and `reviewDue`. */
export class ReviewItemsRepository {
  constructor(private readonly db: DbOrTx) {}

  /** Items due at `now` or before, earliest first. */
  listDue(userId: string, now: Date, limit: number): Promise<ReviewItemRow[]> {
    return this.db
      .select(columns)
      .from(reviewQueue)
      .where(and(eq(reviewQueue.userId, userId), queued, lte(reviewQueue.nextDueAt, now)))
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
      .where(and(eq(reviewQueue.userId, userId), queued, eq(reviewQueue.track, track)))
      .orderBy(...earliestFirst)
      .limit(limit);
    return { items: rows.map(({ due: _due, ...item }) => item), due: rows[0]?.due ?? 0 };
  }
}
