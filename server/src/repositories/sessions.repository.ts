import { and, desc, eq, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../db/database.js";
import { sessions } from "../db/schema/index.js";
import { beforeKey, exactAt, type Position } from "../db/keyset.js";

export type SessionRow = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;

export class SessionsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): SessionsRepository {
    return new SessionsRepository(db);
  }

  async create(values: NewSession): Promise<SessionRow> {
    const [row] = await this.db.insert(sessions).values(values).returning();
    return row!;
  }

  /** The session only if it belongs to this user: other users' ids look unknown. */
  async findOwned(userId: string, id: string): Promise<SessionRow | undefined> {
    const [row] = await this.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, id), eq(sessions.userId, userId)))
      .limit(1);
    return row;
  }

  /** Newest first, keyset-paged; fetches limit+1 so the caller knows whether a next page exists. */
  listOwned(userId: string, options: { status?: SessionRow["status"]; limit: number; after?: Position }): Promise<SessionRow[]> {
    const conditions: SQL[] = [eq(sessions.userId, userId)];
    if (options.status) conditions.push(eq(sessions.status, options.status));
    if (options.after) {
      const at = this.exactStartedAt(userId, options.after);
      conditions.push(beforeKey({ at: sessions.startedAt, id: sessions.id }, at, options.after.id));
    }
    return this.db
      .select()
      .from(sessions)
      .where(and(...conditions))
      .orderBy(desc(sessions.startedAt), desc(sessions.id))
      .limit(options.limit + 1);
  }

  /**
   * The cursor row's `started_at` to the microsecond. A cursor's timestamp has only a
   * JavaScript Date's milliseconds, so comparing with it would skip the rest of a page
   * whose rows share that millisecond; the row itself (the caller's, by primary key) has
   * the exact value. The cursor's timestamp is the fallback should the row be gone.
   */
  private exactStartedAt(userId: string, position: Position): SQL {
    const cursorRow = alias(sessions, "cursor_row");
    const exact = this.db
      .select({ startedAt: cursorRow.startedAt })
      .from(cursorRow)
      .where(and(eq(cursorRow.id, position.id), eq(cursorRow.userId, userId)));
    return exactAt(exact, position);
  }

  /**
   * Changes an active session, atomically: the `status = 'active'` guard means two racing
   * actions cannot both apply. Undefined when the session is no longer active.
   */
  async updateIfActive(
    userId: string,
    id: string,
    changes: Partial<Pick<SessionRow, "problemId" | "status" | "lastHintLevel">>,
  ): Promise<SessionRow | undefined> {
    const [row] = await this.db
      .update(sessions)
      .set({ ...changes, updatedAt: new Date() })
      .where(and(eq(sessions.id, id), eq(sessions.userId, userId), eq(sessions.status, "active")))
      .returning();
    return row;
  }
}
