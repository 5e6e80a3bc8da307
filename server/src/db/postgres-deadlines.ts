import type { Sql } from "postgres";
import { preparationOf } from "./statement-preparation.js";

/** A statement (or the wait for a pooled connection) outlived its deadline; the database counts as unavailable. */
export class DatabaseTimeoutError extends Error {
  readonly code = "QUERY_TIMEOUT";
  constructor(ms: number) {
    super(`the database did not answer within ${ms} ms`);
    this.name = "DatabaseTimeoutError";
  }
}

interface PendingQuery extends PromiseLike<unknown> {
  cancel(): unknown;
  values(): unknown;
}

/**
 * postgres.js waits for ever: for a free connection, and for an answer on a connection whose
 * peer froze (the server's statement_timeout cannot help when no packet arrives). This
 * wrapper gives every statement Drizzle sends a client-side deadline that covers both; a
 * late statement is cancelled (a queued one is dropped from the queue, so it never runs
 * afterwards) and its caller gets DatabaseTimeoutError. Every statement passes here, so this is
 * also where it is decided whether postgres.js prepares it (statement-preparation.ts).
 */
export function withDeadlines(sql: Sql, ms: number): Sql {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, parameters?: unknown[], options?: { prepare?: boolean }) =>
          boundedQuery(target.unsafe(query, parameters as never, preparationOf(parameters, options)) as unknown as PendingQuery, ms);
      }
      if (property === "begin") return (...args: unknown[]) => boundedTransaction(target, args, ms);
      if (property === "savepoint") {
        return (fn: (scope: Sql) => unknown) => (target as unknown as { savepoint: (f: (s: Sql) => unknown) => unknown }).savepoint((scope) => fn(withDeadlines(scope, ms)));
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

function settleWithin<T>(work: PromiseLike<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new DatabaseTimeoutError(ms));
    }, ms);
    work.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (clearTimeout(timer), reject(error)),
    );
  });
}

/** Keeps the query's `.values()` (Drizzle's array mode) and makes awaiting it bounded. */
function boundedQuery(query: PendingQuery, ms: number) {
  let settled: Promise<unknown> | undefined;
  const run = () => (settled ??= settleWithin(query, ms, () => void Promise.resolve(query.cancel()).catch(() => {})));
  return {
    values() {
      query.values();
      return run();
    },
    then<A, B>(onValue?: (value: unknown) => A | PromiseLike<A>, onError?: (error: unknown) => B | PromiseLike<B>) {
      return run().then(onValue, onError);
    },
  };
}

/**
 * BEGIN waits for a connection, and COMMIT/ROLLBACK are sent by postgres.js itself: both
 * phases get the deadline. A transaction abandoned before its body started never runs it;
 * one abandoned during COMMIT has an unknown outcome, as with any client (the server's
 * idle_in_transaction_session_timeout rolls back one whose connection froze before COMMIT).
 */
function boundedTransaction(root: Sql, args: unknown[], ms: number): Promise<unknown> {
  const fn = args[args.length - 1] as (scope: Sql) => unknown;
  const options = args.length > 1 ? (args[0] as string) : "";
  let abandoned = false;
  let timer: NodeJS.Timeout | undefined;
  return new Promise((resolve, reject) => {
    const arm = () => {
      timer = setTimeout(() => {
        abandoned = true;
        reject(new DatabaseTimeoutError(ms));
      }, ms);
    };
    arm();
    root
      .begin(options, async (scope) => {
        clearTimeout(timer);
        if (abandoned) throw new DatabaseTimeoutError(ms);
        try {
          return await fn(withDeadlines(scope as unknown as Sql, ms));
        } finally {
          if (!abandoned) arm();
        }
      })
      .then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
  });
}
