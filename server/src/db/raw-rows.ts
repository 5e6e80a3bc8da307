import type { SQL } from "drizzle-orm";
import type { DbOrTx } from "./database.js";

/**
 * The rows of a hand-written statement, as the driver hands them over: column names as in
 * the database, numbers and jsonb parsed, timestamps as text (both Drizzle drivers leave
 * dates to the columns' own mapping). postgres.js answers an array, PGlite `{ rows }`.
 *
 * The submission's learning statements are written this way: the query builder spent 30–80 µs
 * building each of them on every request, a `sql` template spends about 3 µs, and its text
 * never changes, so postgres.js prepares it once per connection.
 */
export async function rowsOf<Row>(db: DbOrTx, statement: SQL): Promise<Row[]> {
  const result = (await db.execute(statement)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: Row[] }).rows) as Row[];
}

/** A timestamptz as the database sent it (text), as a Date. */
export const dateOf = (value: string | Date): Date => (value instanceof Date ? value : new Date(value));
