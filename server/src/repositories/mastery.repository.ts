import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { mastery } from "../db/schema/index.js";

export type MasteryRow = typeof mastery.$inferSelect;

export class MasteryRepository {
  constructor(private readonly db: DbOrTx) {}

  listForUser(userId: string, keyType?: "topic" | "outcome"): Promise<MasteryRow[]> {
    const conditions: SQL[] = [eq(mastery.userId, userId)];
    if (keyType) conditions.push(eq(mastery.keyType, keyType));
    return this.db
      .select()
      .from(mastery)
      .where(and(...conditions))
      .orderBy(asc(mastery.keyType), asc(mastery.keyId));
  }
}

/** EMA step of §8.4: a new key starts at 0.5, then ema ← ema + 0.2·(x − ema). */
export const EMA_START = 0.5;
export const EMA_RATE = 0.2;

/** Code-unit order of (key_type, key_id): one total order every transaction agrees on. */
const byKey = (a: { keyType: string; keyId: string }, b: { keyType: string; keyId: string }) =>
  a.keyType < b.keyType ? -1 : a.keyType > b.keyType ? 1 : a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0;

/**
 * Applies one observation (1 passed, 0 otherwise) to every key in a single atomic
 * upsert: concurrent submissions serialise on the row lock, so no update is lost.
 * The rows are written (and so locked) in (key_type, key_id) order, never the problem's
 * topic order: two submissions on problems listing the same topics in opposite orders
 * would otherwise each hold one row and wait for the other's (a deadlock, 40P01).
 */
export async function applyMasteryObservation(
  db: DbOrTx,
  userId: string,
  keys: { keyType: "topic" | "outcome"; keyId: string }[],
  observation: 0 | 1,
  now: Date,
): Promise<void> {
  const unique = [...new Map(keys.map((key) => [`${key.keyType}:${key.keyId}`, key])).values()].sort(byKey);
  if (unique.length === 0) return;
  const firstEma = EMA_START + EMA_RATE * (observation - EMA_START);
  const nextEma = sql`${mastery.ema} + ${EMA_RATE} * (${observation}::float8 - ${mastery.ema})`;
  await db
    .insert(mastery)
    .values(unique.map((key) => ({ userId, ...key, ema: firstEma, score: Math.round(firstEma * 100), updatedAt: now })))
    .onConflictDoUpdate({
      target: [mastery.userId, mastery.keyType, mastery.keyId],
      set: { ema: nextEma, score: sql`round((${nextEma}) * 100)::int`, updatedAt: now },
    });
}
