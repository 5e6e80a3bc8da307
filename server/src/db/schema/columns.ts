import { sql } from "drizzle-orm";
import { timestamp, uuid, type ExtraConfigColumn } from "drizzle-orm/pg-core";

/** Shared column helpers: uuid keys from the database, timestamptz everywhere. */
export const id = () => uuid("id").primaryKey().default(sql`gen_random_uuid()`);
export const timestampTz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
export const createdAt = () => timestampTz("created_at").notNull().defaultNow();

/** `CHECK (column IN (...))` for an enum stored as text. */
export const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((value) => `'${value}'`).join(", ")})`);

/**
 * An index column for newest-first lists. `ORDER BY x DESC` means NULLS FIRST, and Drizzle's
 * `.desc()` in an index means NULLS LAST: PostgreSQL cannot read such an index in the query's
 * order (not even for a NOT NULL column), so every page was a scan and a sort of all the
 * user's rows (migration 0005 rebuilt the indexes).
 */
export const newestFirst = (column: ExtraConfigColumn) => column.desc().nullsFirst();
