import { sql } from "drizzle-orm";
import { timestamp, uuid } from "drizzle-orm/pg-core";

/** Shared column helpers: uuid keys from the database, timestamptz everywhere. */
export const id = () => uuid("id").primaryKey().default(sql`gen_random_uuid()`);
export const timestampTz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
export const createdAt = () => timestampTz("created_at").notNull().defaultNow();

/** `CHECK (column IN (...))` for an enum stored as text. */
export const oneOf = (column: string, values: readonly string[]) =>
  sql.raw(`${column} IN (${values.map((value) => `'${value}'`).join(", ")})`);
