import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { preparedPerHandle } from "../db/prepared-queries.js";
import { rowsOf } from "../db/raw-rows.js";
import { mastery, problemDifficulty, problems } from "../db/schema/index.js";

export type MasteryRow = typeof mastery.$inferSelect;
export type MasteryKeyType = MasteryRow["keyType"];

export interface MasteryKey {
  keyType: MasteryKeyType;
  keyId: string;
}

/** What a key holds before and after an observation. */
export interface MasteryState extends MasteryKey {
  ema: number;
  score: number;
  skill: number;
  attempts: number;
}

/** Code-unit order of (key_type, key_id): one total order every transaction agrees on. */
export const byKey = (a: MasteryKey, b: MasteryKey) =>
  a.keyType < b.keyType ? -1 : a.keyType > b.keyType ? 1 : a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0;

/** How β of a problem never graded follows from its authored difficulty: (difficulty − center)·step. */
export interface BetaPrior {
  center: number;
  step: number;
}

/** A user's mastery, every key or one type's, built once per handle (mastery is read on every dashboard refresh). */
const listQuery = preparedPerHandle((db) =>
  db.select().from(mastery).where(eq(mastery.userId, sql.placeholder("userId"))).orderBy(asc(mastery.keyType), asc(mastery.keyId)).prepare("mastery_list"),
);
const listOfTypeQuery = preparedPerHandle((db) =>
  db
    .select()
    .from(mastery)
    .where(and(eq(mastery.userId, sql.placeholder("userId")), eq(mastery.keyType, sql.placeholder("keyType"))))
    .orderBy(asc(mastery.keyType), asc(mastery.keyId))
    .prepare("mastery_list_of_type"),
);

export class MasteryRepository {
  constructor(private readonly db: DbOrTx) {}

  listForUser(userId: string, keyType?: MasteryKeyType): Promise<MasteryRow[]> {
    return keyType ? listOfTypeQuery(this.db).execute({ userId, keyType }) : listQuery(this.db).execute({ userId });
  }

  /**
   * Median β of the locally stored problems listing each key (topic or outcome), every key in
   * one query, keyed `key_type:key_id`: the current β where graded, else the prior of the
   * authored difficulty. Keys no stored problem lists are absent.
   */
  async medianBetaOfEveryKey(prior: BetaPrior): Promise<Map<string, number>> {
    const beta = sql`coalesce(${problemDifficulty.beta}, (${problems.difficulty} - ${prior.center}::float8) * ${prior.step}::float8)`;
    const rows = await this.db
      .select({
        key: sql<string>`k.key`,
        median: sql<number>`percentile_cont(0.5) within group (order by ${beta})`.mapWith(Number),
      })
      .from(problems)
      .innerJoin(
        sql`lateral (select 'topic:' || t as key from jsonb_array_elements_text(${problems.topics}) as t
          union all select 'outcome:' || o from jsonb_array_elements_text(${problems.outcomes}) as o) as k`,
        sql`true`,
      )
      .leftJoin(problemDifficulty, eq(problemDifficulty.problemId, problems.id))
      .groupBy(sql`k.key`);
    return new Map(rows.map((row) => [row.key, row.median]));
  }
}

/**
 * Locks the user's rows of these keys, creating missing ones at their starting values,
 * and returns what they hold. The keys are written (and so locked) in (key_type, key_id)
 * order, never the problem's topic order: two submissions on problems listing the same
 * topics in opposite orders would otherwise each hold one row and wait for the other's
 * (a deadlock, 40P01). Concurrent submissions then serialise on these locks until commit,
 * so an update computed from what this returns loses nothing.
 *
 * One statement of fixed text for any number of keys (arrays, not a VALUES list), so it is
 * prepared once per connection; `with ordinality … order by` keeps the sorted order.
 */
export async function lockMastery(
  db: DbOrTx,
  userId: string,
  keys: MasteryKey[],
  start: { ema: number; score: number; skill: number },
  now: Date,
): Promise<MasteryState[]> {
  const unique = [...new Map(keys.map((key) => [`${key.keyType}:${key.keyId}`, key])).values()].sort(byKey);
  if (unique.length === 0) return [];
  const rows = await rowsOf<{ key_type: MasteryKeyType; key_id: string; ema: number; score: number; skill: number; attempts: number }>(
    db,
    sql`insert into ${mastery} (user_id, key_type, key_id, ema, score, skill, attempts, updated_at)
      select ${userId}, k.key_type, k.key_id, ${start.ema}::float8, ${start.score}::int, ${start.skill}::float8, 0, ${now.toISOString()}::timestamptz
      from unnest(${sql.param(unique.map((key) => key.keyType))}::text[], ${sql.param(unique.map((key) => key.keyId))}::text[]) with ordinality as k(key_type, key_id, position)
      order by k.position
      on conflict (user_id, key_type, key_id) do update set user_id = excluded.user_id
      returning key_type, key_id, ema, score, skill, attempts`,
  );
  return rows.map((row) => ({ keyType: row.key_type, keyId: row.key_id, ema: row.ema, score: row.score, skill: row.skill, attempts: row.attempts })).sort(byKey);
}

/** The update (fixed text) that stores the keys' new states in the rows `lockMastery` locked; undefined when there are none. */
export function masteryUpdate(userId: string, states: MasteryState[], now: Date): SQL | undefined {
  if (states.length === 0) return undefined;
  const sorted = [...states].sort(byKey);
  // An array is one parameter (sql.param), not a list Drizzle spreads into `($1, $2, …)`.
  const column = <K extends keyof MasteryState>(name: K) => sql.param(sorted.map((state) => state[name]));
  return sql`
    update ${mastery} set ema = v.ema, score = v.score, skill = v.skill, attempts = v.attempts, updated_at = ${now.toISOString()}::timestamptz
    from unnest(${column("keyType")}::text[], ${column("keyId")}::text[], ${column("ema")}::float8[], ${column("score")}::int[],
      ${column("skill")}::float8[], ${column("attempts")}::int[]) as v(key_type, key_id, ema, score, skill, attempts)
    where ${mastery.userId} = ${userId} and ${mastery.keyType} = v.key_type and ${mastery.keyId} = v.key_id`;
}
