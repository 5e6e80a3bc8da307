import { and, eq, gt, lt, or, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";

/**
 * Keyset position of a list: (timestamp, id). `at` carries a Date's milliseconds while
 * timestamptz columns hold microseconds, so a repository compares against the exact value
 * of the row named by `id` (the caller's own, see `exactAt`), using `at` only when that row
 * is gone; comparing with `at` alone skips rows sharing its millisecond.
 */
export interface Position {
  at: Date;
  id: string;
}

interface KeyColumns {
  at: PgColumn;
  id: PgColumn;
}

/** The cursor row's exact timestamp (a scalar subquery), else the cursor's own. */
export const exactAt = (cursorRowTimestamp: SQL | { getSQL(): SQL }, position: Position): SQL =>
  sql`coalesce((${cursorRowTimestamp}), ${position.at.toISOString()}::timestamptz)`;

/** Rows after (at, id) in ascending (at, id) order. */
export const afterKey = (columns: KeyColumns, at: SQL | Date, id: string): SQL =>
  or(gt(columns.at, at), and(eq(columns.at, at), gt(columns.id, id)))!;

/** Rows before (at, id): the next page of a newest-first list. */
export const beforeKey = (columns: KeyColumns, at: SQL | Date, id: string): SQL =>
  or(lt(columns.at, at), and(eq(columns.at, at), lt(columns.id, id)))!;
