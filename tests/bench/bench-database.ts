import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { loadConfig } from "../../server/src/config/config.js";
import { openDatabase, type DatabaseHandle } from "../../server/src/db/database.js";

/**
 * A throwaway database for a benchmark: a fresh database on the configured PostgreSQL
 * (CO_DB_URL, else CO_TEST_DB_URL), dropped afterwards; else an in-memory PGlite.
 */
export async function openBenchDatabase(onQuery?: (query: string) => void): Promise<{
  handle: DatabaseHandle;
  label: string;
  url?: string;
  dispose(): Promise<void>;
}> {
  const config = loadConfig();
  const { testEnvironment } = await import("../../server/src/config/config.js");
  const serverUrl = config.database.url ?? testEnvironment().dbUrl;
  if (!serverUrl) {
    const handle = await openDatabase({ kind: "pglite", ...(onQuery ? { onQuery } : {}) });
    await handle.migrate();
    return { handle, label: "PGlite (in memory)", dispose: () => handle.close() };
  }
  const name = `co_bench_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ kind: "postgres", url: url.toString(), poolSize: 10, ...(onQuery ? { onQuery } : {}) });
  await handle.migrate();
  return {
    handle,
    label: `PostgreSQL (${url.host})`,
    url: url.toString(),
    async dispose() {
      await handle.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}
