import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../db/database.js";
import { submissions } from "../db/schema/index.js";
import { beforeKey, exactAt, type Position } from "../db/keyset.js";

export type SubmissionRow = typeof submissions.$inferSelect;
/** What a graded submission stores: every column but those it never sets (pillar scores, signal metadata). */
export type NewGradedSubmission = Omit<SubmissionRow, "pillarScores" | "signalMetadata">;

export class SubmissionsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): SubmissionsRepository {
    return new SubmissionsRepository(db);
  }

  /**
   * Stores a graded submission and answers the row as stored. The caller picks the id, so the
   * statements of the same transaction that name this submission can be sent with it, without
   * waiting for its answer; jsonb values are returned as the database keeps them (JSON text).
   */
  async insert(values: NewGradedSubmission): Promise<SubmissionRow> {
    const categories = JSON.stringify(values.categories);
    const details = JSON.stringify(values.details);
    const feedback = values.feedback === null ? null : JSON.stringify(values.feedback);
    await this.db.execute(
      sql`insert into ${submissions} (id, session_id, user_id, problem_id, subject, language, status, visible_passed, visible_total,
          hidden_passed, hidden_total, categories, exec_ms, details, feedback, payload_sha256, idempotency_key, task_id, created_at)
        values (${values.id}::uuid, ${values.sessionId}::uuid, ${values.userId}, ${values.problemId}, ${values.subject}, ${values.language},
          ${values.status}, ${values.visiblePassed}::int, ${values.visibleTotal}::int, ${values.hiddenPassed}::int, ${values.hiddenTotal}::int,
          ${categories}::jsonb, ${values.execMs}::int, ${details}::jsonb, ${feedback}::jsonb, ${values.payloadSha256}, ${values.idempotencyKey},
          ${values.taskId}::uuid, ${values.createdAt.toISOString()}::timestamptz)`,
    );
    return {
      ...values,
      categories: JSON.parse(categories) as SubmissionRow["categories"],
      details: JSON.parse(details) as SubmissionRow["details"],
      feedback: feedback === null ? null : (JSON.parse(feedback) as SubmissionRow["feedback"]),
      pillarScores: null,
      signalMetadata: null,
    };
  }

  async findOwned(userId: string, id: string): Promise<SubmissionRow | undefined> {
    const [row] = await this.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.id, id), eq(submissions.userId, userId)))
      .limit(1);
    return row;
  }

  async findByIdempotencyKey(userId: string, key: string): Promise<SubmissionRow | undefined> {
    const [row] = await this.db
      .select()
      .from(submissions)
      .where(and(eq(submissions.userId, userId), eq(submissions.idempotencyKey, key)))
      .limit(1);
    return row;
  }

  /** Frees an expired key (older than the replay window) so it can be used again. */
  async releaseIdempotencyKey(id: string): Promise<void> {
    await this.db.update(submissions).set({ idempotencyKey: null }).where(eq(submissions.id, id));
  }

  listOwned(
    userId: string,
    options: { sessionId?: string; problemId?: string; limit: number; after?: Position },
  ): Promise<SubmissionRow[]> {
    const conditions: SQL[] = [eq(submissions.userId, userId)];
    if (options.sessionId) conditions.push(eq(submissions.sessionId, options.sessionId));
    if (options.problemId) conditions.push(eq(submissions.problemId, options.problemId));
    if (options.after) {
      // The cursor's timestamp has milliseconds only; the cursor row has the exact created_at.
      const cursorRow = alias(submissions, "cursor_row");
      const exact = this.db
        .select({ createdAt: cursorRow.createdAt })
        .from(cursorRow)
        .where(and(eq(cursorRow.id, options.after.id), eq(cursorRow.userId, userId)));
      conditions.push(beforeKey({ at: submissions.createdAt, id: submissions.id }, exactAt(exact, options.after), options.after.id));
    }
    return this.db
      .select()
      .from(submissions)
      .where(and(...conditions))
      .orderBy(desc(submissions.createdAt), desc(submissions.id))
      .limit(options.limit + 1);
  }
}
