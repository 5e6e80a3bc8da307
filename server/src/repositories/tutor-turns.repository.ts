import { and, desc, eq } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { submissions, tutorTurns } from "../db/schema/index.js";

export type TutorTurnRow = typeof tutorTurns.$inferSelect;
export type NewTutorTurn = typeof tutorTurns.$inferInsert;

/** The visible facts of a stored submission a tutor may use. */
export interface StoredEvaluation {
  status: (typeof submissions.$inferSelect)["status"];
  categories: string[];
  details: unknown[];
}

export class TutorTurnsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): TutorTurnsRepository {
    return new TutorTurnsRepository(db);
  }

  async create(values: NewTutorTurn): Promise<TutorTurnRow> {
    const [row] = await this.db.insert(tutorTurns).values(values).returning();
    return row!;
  }

  /** The turn only if it belongs to this user: other users' turns look unknown. */
  async findOwned(userId: string, id: string): Promise<TutorTurnRow | undefined> {
    const [row] = await this.db
      .select()
      .from(tutorTurns)
      .where(and(eq(tutorTurns.id, id), eq(tutorTurns.userId, userId)))
      .limit(1);
    return row;
  }

  /** Stores how a turn ended, once: a turn no longer streaming is left as it is. */
  async finish(
    id: string,
    outcome: { status: Exclude<TutorTurnRow["status"], "streaming">; content?: string; tokens?: number | null; finishedAt: Date },
  ): Promise<boolean> {
    const rows = await this.db
      .update(tutorTurns)
      .set({
        status: outcome.status,
        finishedAt: outcome.finishedAt,
        ...(outcome.content !== undefined ? { content: outcome.content } : {}),
        ...(outcome.tokens !== undefined ? { tokens: outcome.tokens } : {}),
      })
      .where(and(eq(tutorTurns.id, id), eq(tutorTurns.status, "streaming")))
      .returning({ id: tutorTurns.id });
    return rows.length > 0;
  }

  /** The newest submission of this user, session and problem: status, categories and visible details only. */
  async latestEvaluation(userId: string, sessionId: string, problemId: string): Promise<StoredEvaluation | undefined> {
    const [row] = await this.db
      .select({ status: submissions.status, categories: submissions.categories, details: submissions.details })
      .from(submissions)
      .where(and(eq(submissions.userId, userId), eq(submissions.sessionId, sessionId), eq(submissions.problemId, problemId)))
      .orderBy(desc(submissions.createdAt), desc(submissions.id))
      .limit(1);
    return row;
  }
}
