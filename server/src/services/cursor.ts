import type { Position } from "../db/keyset.js";
import { AppError } from "../errors/app-error.js";

export type { Position };

/** A keyset position as an opaque cursor for clients. */
export const encodeCursor = (position: Position): string =>
  Buffer.from(JSON.stringify([position.at.toISOString(), position.id])).toString("base64url");

export function decodeCursor(cursor: string | undefined): Position | undefined {
  if (!cursor) return undefined;
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as [string, string];
    const date = new Date(at);
    if (Number.isNaN(date.getTime()) || typeof id !== "string" || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error("bad");
    return { at: date, id };
  } catch {
    throw AppError.validation("cursor is not valid; pass next_cursor from the previous page", [
      { path: "cursor", message: "not a cursor this API issued" },
    ]);
  }
}

/** Given limit+1 rows, the page and the next cursor. */
export function pageOf<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item, positionOf: (row: Row) => Position) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map(toItem),
    next_cursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null,
  };
}
