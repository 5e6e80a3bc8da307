import type { DbOrTx } from "./database.js";

/**
 * A query built once per database handle with Drizzle's `.prepare()`, its values given as
 * placeholders at each call: for the statements nearly every request runs, whose assembly by
 * the query builder (tens of µs) would otherwise be repeated on every call.
 */
export function preparedPerHandle<Query>(build: (db: DbOrTx) => Query): (db: DbOrTx) => Query {
  const byHandle = new WeakMap<DbOrTx, Query>();
  return (db) => {
    let query = byHandle.get(db);
    if (!query) byHandle.set(db, (query = build(db)));
    return query;
  };
}
