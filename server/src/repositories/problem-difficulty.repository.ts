import type { Subject } from "@co/shared";
import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { rowsOf } from "../db/raw-rows.js";
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
  const [row] = await rowsOf<DifficultyState>(
    db,
    sql`insert into ${problemDifficulty} (problem_id, subject, track, beta, attempts, updated_at)
      values (${target.problemId}, ${target.subject}, ${target.track}, ${priorBeta}::float8, 0, ${now.toISOString()}::timestamptz)
      on conflict (problem_id) do update set problem_id = excluded.problem_id
      returning beta, attempts`,
  );
  return row!;
}

/** The update that stores the problem's new β (its row locked by lockDifficulty). */
export function difficultyUpdate(problemId: string, state: DifficultyState, now: Date): SQL {
  return sql`update ${problemDifficulty} set beta = ${state.beta}::float8, attempts = ${state.attempts}::int, updated_at = ${now.toISOString()}::timestamptz
    where problem_id = ${problemId}`;
}
