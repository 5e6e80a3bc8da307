import { and, desc, eq, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "../db/database.js";
import { sessions } from "../db/schema/index.js";
import { beforeKey, exactAt, type Position } from "../db/keyset.js";
import { preparedPerHandle } from "../db/prepared-queries.js";

export type SessionRow = typeof sessions.$inferSelect;
export type NewSession = typeof sessions.$inferInsert;

/**
 * The session lookup every submission, tutor request and session read starts with, the
 * insert of a new session and the first page of a user's sessions, built once per database
 * handle: drizzle then skips assembling the SQL on each call.
 */
const findOwnedQuery = preparedPerHandle((db) =>
  db
    .select()
    .from(sessions)
    .where(and(eq(sessions.id, sql.placeholder("id")), eq(sessions.userId, sql.placeholder("userId"))))
    .limit(1)
    .prepare("sessions_find_owned"),
);

const insertQuery = preparedPerHandle((db) =>
  db
    .insert(sessions)
    .values({
      userId: sql.placeholder("userId"),
      subject: sql.placeholder("subject"),
      mode: sql.placeholder("mode"),
      trackId: sql.placeholder("trackId"),
      problemId: sql.placeholder("problemId"),
      status: sql.placeholder("status"),
    })
    .returning()
    .prepare("sessions_insert"),
);

const firstPageQuery = preparedPerHandle((db) =>
  db
    .select()
    .from(sessions)
    .where(eq(sessions.userId, sql.placeholder("userId")))
    .orderBy(desc(sessions.startedAt), desc(sessions.id))
    .limit(sql.placeholder("limit"))
    .prepare("sessions_first_page"),
);

/** What a new session is made of; everything else takes its column default. */
export type NewSessionValues = Required<Pick<NewSession, "userId" | "subject" | "mode" | "trackId" | "problemId" | "status">>;

export class SessionsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): SessionsRepository {
    return new SessionsRepository(db);
  }

  async create(values: NewSessionValues): Promise<SessionRow> {
    const [row] = await insertQuery(this.db).execute(values);
    return row!;
  }

  /** The session only if it belongs to this user: other users' ids look unknown. */
  async findOwned(userId: string, id: string): Promise<SessionRow | undefined> {
    const [row] = await findOwnedQuery(this.db).execute({ id, userId });
    return row;
  }

  /** Newest first, keyset-paged; fetches limit+1 so the caller knows whether a next page exists. */
  listOwned(userId: string, options: { status?: SessionRow["status"]; limit: number; after?: Position }): Promise<SessionRow[]> {
    if (!options.status && !options.after) return firstPageQuery(this.db).execute({ userId, limit: options.limit + 1 });
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
    /** Compare-and-set: apply only while the session is still on this problem. */
    onProblemId?: string | null,
  ): Promise<SessionRow | undefined> {
    const conditions = [eq(sessions.id, id), eq(sessions.userId, userId), eq(sessions.status, "active")];
    if (onProblemId !== undefined) conditions.push(onProblemId === null ? isNull(sessions.problemId) : eq(sessions.problemId, onProblemId));
    // updated_at grows with every write to the row, in the order the writes land: a write that
    // waited behind another (or was built a moment earlier) still gets a later time than it.
    const [row] = await this.db
      .update(sessions)
      .set({ ...changes, updatedAt: sql`greatest(${new Date().toISOString()}::timestamptz, ${sessions.updatedAt} + interval '1 millisecond')` })
      .where(and(...conditions))
      .returning();
    return row;
  }
}
