import type { Subject } from "@co/shared";
import { eq, sql } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { problemDifficulty } from "../db/schema/index.js";

export interface DifficultyTarget {
  problemId: string;
  subject: Subject;
  track: string | null;
}

export interface DifficultyState {
  beta: number;
  attempts: number;
}

/**
 * Elo difficulty β per problem, the statements only (the rule lives in services/learning;
 * recommendation reads β through the learner-facts repository).
 *
 * Locks the problem's row (created at `priorBeta` when the problem was never graded) and
 * returns it; taken after the learner's mastery and review rows, so every submission locks in the
 * same order.
 */
export async function lockDifficulty(db: DbOrTx, target: DifficultyTarget, priorBeta: number, now: Date): Promise<DifficultyState> {
  const [row] = await db
    .insert(problemDifficulty)
    .values({ ...target, beta: priorBeta, attempts: 0, updatedAt: now })
    .onConflictDoUpdate({ target: problemDifficulty.problemId, set: { problemId: sql`${problemDifficulty.problemId}` } })
    .returning({ beta: problemDifficulty.beta, attempts: problemDifficulty.attempts });
  return row!;
}

export async function writeDifficulty(db: DbOrTx, problemId: string, state: DifficultyState, now: Date): Promise<void> {
  await db
    .update(problemDifficulty)
    .set({ beta: state.beta, attempts: state.attempts, updatedAt: now })
    .where(eq(problemDifficulty.problemId, problemId));
}
