import type { Subject } from "@co/shared";
import { and, asc, desc, eq, lte, ne, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { mastery, reviewQueue, submissions } from "../db/schema/index.js";

/**
 * The facts recommendation needs, one query per kind of fact — never one per candidate.
 */
export class LearnerFactsRepository {
  constructor(private readonly db: DbOrTx) {}

  /** The earliest due review item of this subject (and track), other than the excluded problem. */
  async dueReview(userId: string, subject: Subject, now: Date, options: { track?: string | null; exclude?: string | null }) {
    const conditions: SQL[] = [eq(reviewQueue.userId, userId), eq(reviewQueue.subject, subject), lte(reviewQueue.nextDueAt, now)];
    if (options.track) conditions.push(eq(reviewQueue.track, options.track));
    if (options.exclude) conditions.push(ne(reviewQueue.problemId, options.exclude));
    const [row] = await this.db
      .select({ problemId: reviewQueue.problemId })
      .from(reviewQueue)
      .where(and(...conditions))
      .orderBy(asc(reviewQueue.nextDueAt), asc(reviewQueue.problemId))
      .limit(1);
    return row?.problemId ?? null;
  }

  async topicMastery(userId: string): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ keyId: mastery.keyId, score: mastery.score })
      .from(mastery)
      .where(and(eq(mastery.userId, userId), eq(mastery.keyType, "topic")));
    return new Map(rows.map((row) => [row.keyId, row.score]));
  }

  /** Per problem: when last attempted and whether ever passed. */
  async attempts(userId: string, subject: Subject) {
    const rows = await this.db
      .select({
        problemId: submissions.problemId,
        lastAt: sql<Date>`max(${submissions.createdAt})`.mapWith((value: string | Date) => new Date(value)),
        everPassed: sql<boolean>`bool_or(${submissions.status} = 'passed')`.mapWith(Boolean),
      })
      .from(submissions)
      .where(and(eq(submissions.userId, userId), eq(submissions.subject, subject)))
      .groupBy(submissions.problemId);
    return new Map(rows.map((row) => [row.problemId, { lastAt: row.lastAt, everPassed: row.everPassed }]));
  }

  async recentSubmissions(userId: string, subject: Subject, limit = 5) {
    return this.db
      .select({ problemId: submissions.problemId, status: submissions.status, createdAt: submissions.createdAt })
      .from(submissions)
      .where(and(eq(submissions.userId, userId), eq(submissions.subject, subject)))
      .orderBy(desc(submissions.createdAt), desc(submissions.id))
      .limit(limit);
  }
}

