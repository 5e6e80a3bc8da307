import type { Subject } from "@co/shared";
import { and, asc, desc, eq, isNotNull, lte, ne, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { mastery, problemDifficulty, problems, reviewQueue, submissions } from "../db/schema/index.js";

/** What the learner's history says about one attempted problem. */
export interface AttemptFacts {
  lastAt: Date;
  everPassed: boolean;
  /** From the local `problems` table; null when the problem is not stored locally. */
  difficulty: number | null;
  topics: string[] | null;
}

export interface RecentSubmissionFacts {
  problemId: string;
  status: (typeof submissions.$inferSelect)["status"];
  createdAt: Date;
  /** From the local `problems` table; null when the problem is not stored locally. */
  difficulty: number | null;
}

/**
 * The facts recommendation needs, one query per kind of fact — never one per candidate.
 * Difficulty and topics of attempted problems come from a join on the local `problems`
 * table, so problems outside the current candidate set (another track, say) still count.
 */
export class LearnerFactsRepository {
  constructor(private readonly db: DbOrTx) {}

  /** The earliest due review item of this subject (and track), other than the excluded problem. */
  async dueReview(userId: string, subject: Subject, now: Date, options: { track?: string | null; exclude?: string | null }) {
    // A row without a reason holds an FSRS card only: it is not queued.
    const conditions: SQL[] = [
      eq(reviewQueue.userId, userId),
      eq(reviewQueue.subject, subject),
      isNotNull(reviewQueue.reason),
      lte(reviewQueue.nextDueAt, now),
    ];
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

  /** Per topic: the EMA score (0–100) and the Elo skill θ. */
  async topicMastery(userId: string): Promise<Map<string, { score: number; skill: number }>> {
    const rows = await this.db
      .select({ keyId: mastery.keyId, score: mastery.score, skill: mastery.skill })
      .from(mastery)
      .where(and(eq(mastery.userId, userId), eq(mastery.keyType, "topic")));
    return new Map(rows.map((row) => [row.keyId, { score: row.score, skill: row.skill }]));
  }

  /** Elo β of the subject's graded problems (of one track, when given); problems never graded are absent. */
  async problemDifficulty(subject: Subject, track?: string | null): Promise<Map<string, number>> {
    const conditions: SQL[] = [eq(problemDifficulty.subject, subject)];
    if (track) conditions.push(eq(problemDifficulty.track, track));
    const rows = await this.db
      .select({ problemId: problemDifficulty.problemId, beta: problemDifficulty.beta })
      .from(problemDifficulty)
      .where(and(...conditions));
    return new Map(rows.map((row) => [row.problemId, row.beta]));
  }

  /** Per problem attempted in this subject: when last attempted, whether ever passed, and what it is. */
  async attempts(userId: string, subject: Subject): Promise<Map<string, AttemptFacts>> {
    const rows = await this.db
      .select({
        problemId: submissions.problemId,
        lastAt: sql<Date>`max(${submissions.createdAt})`.mapWith((value: string | Date) => new Date(value)),
        everPassed: sql<boolean>`bool_or(${submissions.status} = 'passed')`.mapWith(Boolean),
        difficulty: problems.difficulty,
        topics: problems.topics,
      })
      .from(submissions)
      .leftJoin(problems, eq(problems.id, submissions.problemId))
      .where(and(eq(submissions.userId, userId), eq(submissions.subject, subject)))
      // problems.id is the key, so its columns depend on it functionally.
      .groupBy(submissions.problemId, problems.id);
    return new Map(
      rows.map((row) => [
        row.problemId,
        { lastAt: row.lastAt, everPassed: row.everPassed, difficulty: row.difficulty, topics: row.topics },
      ]),
    );
  }

  /** Newest first, with each problem's difficulty when stored locally. */
  async recentSubmissions(userId: string, subject: Subject, limit = 5): Promise<RecentSubmissionFacts[]> {
    return this.db
      .select({
        problemId: submissions.problemId,
        status: submissions.status,
        createdAt: submissions.createdAt,
        difficulty: problems.difficulty,
      })
      .from(submissions)
      .leftJoin(problems, eq(problems.id, submissions.problemId))
      .where(and(eq(submissions.userId, userId), eq(submissions.subject, subject)))
      .orderBy(desc(submissions.createdAt), desc(submissions.id))
      .limit(limit);
  }
}
