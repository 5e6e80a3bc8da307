import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "./database.js";

/**
 * Runs several writes as one statement: each becomes a data-modifying `WITH` part, which
 * PostgreSQL runs exactly once and to completion whether or not the main query reads it.
 * One statement is one protocol exchange instead of one each (on a submission's three
 * learning updates, ~160 µs of CPU: the README's performance section). The statement's text
 * is fixed for a fixed list, so it is prepared once per connection like any other.
 *
 * Only for writes that do not depend on one another: the parts see one snapshot, none sees
 * another's changes, and PostgreSQL picks the order they run in, so they must not touch the
 * same rows, nor take a lock that the caller's lock order would want taken earlier (lock
 * the rows first, as the learning write does). If one part fails, the statement fails and
 * none of them is applied.
 */
export async function executeTogether(db: DbOrTx, writes: readonly (SQL | undefined)[]): Promise<void> {
  const parts = writes.filter((write): write is SQL => write !== undefined);
  if (parts.length === 0) return;
  if (parts.length === 1) {
    await db.execute(parts[0]!);
    return;
  }
  const named = parts.map((part, index) => sql`${sql.raw(`w${index}`)} as (${part})`);
  await db.execute(sql`with ${sql.join(named, sql`, `)} select 1`);
}
