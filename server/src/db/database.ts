import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { lockDataDir } from "./data-dir-lock.js";
import { withDeadlines } from "./postgres-deadlines.js";
import * as schema from "./schema/index.js";
export { DatabaseTimeoutError } from "./postgres-deadlines.js";

export type Schema = typeof schema;
/** A Drizzle handle that both PGlite and postgres.js satisfy. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Repositories accept either, so a service can group several writes in one transaction. */
export type DbOrTx = Database | Transaction;

export const migrationsFolder = fileURLToPath(new URL("../../../drizzle", import.meta.url));

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** Runs a trivial query; rejects when the database is unreachable. */
  ping(): Promise<void>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget = (
  | {
      kind: "postgres";
      url: string;
      poolSize: number;
      /** Whether postgres.js prepares statements (statement-preparation.ts); default true. */
      preparedStatements?: boolean;
      /** Bounds on waiting (defaults: DEFAULT_DB_TIMEOUTS): see README §Reliability. */
      timeouts?: DatabaseTimeouts;
    }
  /** `dataDir` undefined → in-memory (tests). */
  | { kind: "pglite"; dataDir?: string; loadDataDir?: Blob }
) & {
  /** Called for every statement Drizzle sends (tests count round trips with it). */
  onQuery?: (query: string) => void;
};

export interface DatabaseTimeouts {
  /** TCP connect + startup handshake. */
  connectMs: number;
  /** One statement, including the wait for a pooled connection (client side), and the server's statement_timeout. */
  statementMs: number;
}

export const DEFAULT_DB_TIMEOUTS: DatabaseTimeouts = { connectMs: 2000, statementMs: 3000 };

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  const logger = target.onQuery ? { logQuery: (query: string) => target.onQuery!(query) } : undefined;
  if (target.kind === "postgres") {
    const timeouts = target.timeouts ?? DEFAULT_DB_TIMEOUTS;
    const client = postgres(target.url, {
      max: target.poolSize,
      // Off, no statement is prepared, whatever statement-preparation.ts or Drizzle asks.
      prepare: target.preparedStatements ?? true,
      onnotice: () => {},
      connect_timeout: timeouts.connectMs / 1000,
      idle_timeout: 30,
      // postgres.js grows its reconnect delay to 20 s after refused connects; a restarted
      // server should be used again within a second.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      connection: {
        statement_timeout: timeouts.statementMs,
        // A transaction whose client froze before COMMIT must not hold its locks for ever.
        idle_in_transaction_session_timeout: Math.max(10_000, timeouts.statementMs * 3),
      },
    });
    const bounded = withDeadlines(client, timeouts.statementMs);
    const db = drizzlePostgres(bounded, { schema, ...(logger ? { logger } : {}) }) as unknown as Database;
    return {
      db,
      kind: "postgres",
      ping: async () => {
        await bounded.unsafe("select 1");
      },
      migrate: () => migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder }),
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
  const unlock = target.dataDir ? lockDataDir(target.dataDir) : () => {};
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir: target.dataDir, loadDataDir: target.loadDataDir });
  } catch (error) {
    unlock();
    throw error;
  }
  const pgliteDb = drizzlePglite(client, { schema, ...(logger ? { logger } : {}) });
  return {
    db: pgliteDb as unknown as Database,
    kind: "pglite",
    ping: async () => {
      await client.query("select 1");
    },
    migrate: () => migratePglite(pgliteDb, { migrationsFolder }),
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

/** Extracts the PostgreSQL error code (e.g. 23505) from a driver error or its cause. */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the error means the database cannot be reached (→ 503), not a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === "string" &&
      (["QUERY_TIMEOUT", "57014", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "CONNECTION_ENDED", "CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT"].includes(code) ||
        code.startsWith("08") ||
        code === "57P01" ||
        code === "57P03")
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
