import { and, desc, eq, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../db/database.js";
import { submissions } from "../db/schema/index.js";
import { beforeKey, exactAt, type Position } from "../db/keyset.js";

export type SubmissionRow = typeof submissions.$inferSelect;
export type NewSubmission = typeof submissions.$inferInsert;

export class SubmissionsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): SubmissionsRepository {
    return new SubmissionsRepository(db);
  }

  async insert(values: NewSubmission): Promise<SubmissionRow> {
    const [row] = await this.db.insert(submissions).values(values).returning();
    return row!;
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
