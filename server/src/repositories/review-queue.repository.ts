import type { Subject } from "@co/shared";
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { dateOf, rowsOf } from "../db/raw-rows.js";
import { reviewQueue, submissions } from "../db/schema/index.js";

/** The session's earlier graded attempts on a problem, as the review rating reads them. */
export interface EarlierAttempts {
  attempted: boolean;
  failed: boolean;
}

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

/** A placement that writes the whole FSRS card. */
export type CardPlacement = Required<ReviewPlacement>;

/** What a scheduler reads of a locked row: its placement and its card. */
export type LockedReview = Pick<
  ReviewRow,
  "reason" | "nextDueAt" | "bucket" | "stability" | "difficulty" | "state" | "reps" | "lapses" | "lastReview" | "scheduledDays" | "learningSteps"
>;

interface LockedReviewColumns {
  reason: ReviewRow["reason"];
  next_due_at: string;
  bucket: number;
  stability: number | null;
  difficulty: number | null;
  state: ReviewRow["state"];
  reps: number;
  lapses: number;
  last_review: string | null;
  scheduled_days: number;
  learning_steps: number;
}

const lockedReviewOf = (row: LockedReviewColumns): LockedReview => ({
  reason: row.reason,
  nextDueAt: dateOf(row.next_due_at),
  bucket: row.bucket,
  stability: row.stability,
  difficulty: row.difficulty,
  state: row.state,
  reps: row.reps,
  lapses: row.lapses,
  lastReview: row.last_review === null ? null : dateOf(row.last_review),
  scheduledDays: row.scheduled_days,
  learningSteps: row.learning_steps,
});

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
   * Makes sure the problem has a row (unqueued, no card yet) and locks it, in one statement:
   * concurrent first attempts then serialise on it instead of both inserting. Returns what
   * a scheduler reads of it.
   */
  async lockOrCreate(db: DbOrTx, target: ReviewTarget, now: Date): Promise<LockedReview> {
    const [row] = await rowsOf<LockedReviewColumns>(
      db,
      sql`insert into ${reviewQueue} (user_id, problem_id, subject, track, reason, next_due_at, bucket)
        values (${target.userId}, ${target.problemId}, ${target.subject}, ${target.track}, null, ${now.toISOString()}::timestamptz, 0)
        on conflict (user_id, problem_id) do update set user_id = excluded.user_id
        returning reason, next_due_at, bucket, stability, difficulty, state, reps, lapses, last_review, scheduled_days, learning_steps`,
    );
    return lockedReviewOf(row!);
  }

  /** The update that writes a whole card and its placement (what FSRS decides) to the row lockOrCreate locked. */
  cardUpdate(target: ReviewTarget, placement: CardPlacement): SQL {
    return sql`update ${reviewQueue} set reason = ${placement.reason}, next_due_at = ${placement.nextDueAt.toISOString()}::timestamptz,
        bucket = ${placement.bucket}::int, stability = ${placement.stability}::float8, difficulty = ${placement.difficulty}::float8,
        state = ${placement.state}, reps = ${placement.reps}::int, lapses = ${placement.lapses}::int,
        last_review = ${placement.lastReview?.toISOString() ?? null}::timestamptz, scheduled_days = ${placement.scheduledDays}::int,
        learning_steps = ${placement.learningSteps}::int
      where user_id = ${target.userId} and problem_id = ${target.problemId}`;
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

  /** Whether the session graded the problem before, and whether one of those failed (earlierInSessionQuery). */
  async earlierInSession(db: DbOrTx, sessionId: string, problemId: string, excludeSubmissionId: string): Promise<EarlierAttempts> {
    const [row] = await rowsOf<EarlierAttempts>(db, earlierInSessionQuery(sessionId, problemId, excludeSubmissionId));
    return { attempted: row?.attempted ?? false, failed: row?.failed ?? false };
  }
}

/**
 * Whether the session graded the problem before (any submission but `excludeSubmissionId`), and
 * whether one of those failed: two EXISTS, each done at its first match. A session that never
 * failed has no match for the second; the partial submissions_session_failures_idx answers it
 * in one probe instead of a walk through every pass.
 */
export function earlierInSessionQuery(sessionId: string, problemId: string, excludeSubmissionId: string): SQL {
  const earlier = sql`from ${submissions} where session_id = ${sessionId} and problem_id = ${problemId} and id <> ${excludeSubmissionId}`;
  return sql`select exists(select 1 ${earlier}) as "attempted", exists(select 1 ${earlier} and status <> 'passed') as "failed"`;
}
