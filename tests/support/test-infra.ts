import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { connectRedis, type RedisHandle } from "../../server/src/adapters/redis/redis-client.js";
import { testEnvironment } from "../../server/src/config/config.js";
import { readContentPack, seedContent } from "../../server/src/content/load-pack.js";
import { openDatabase, type DatabaseHandle } from "../../server/src/db/database.js";
import { createLogger } from "../../server/src/logger.js";

/** Real PostgreSQL and Redis when CO_TEST_DB_URL / CO_TEST_REDIS_URL are set (CI); PGlite and in-process otherwise. */
export const testServices = testEnvironment();

const uniqueName = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;

export interface TestDatabase {
  handle: DatabaseHandle;
  /** postgres URL of the throwaway database, when running against a real server. */
  url?: string;
  dispose(): Promise<void>;
}

/**
 * A fresh, migrated database of its own: a throwaway database on the real server
 * (dropped afterwards), or an in-memory PGlite.
 */
export async function createTestDatabase(options: { seed?: boolean } = {}): Promise<TestDatabase> {
  const seed = options.seed ?? true;
  let handle: DatabaseHandle;
  let url: string | undefined;
  let drop = async () => {};
  if (testServices.dbUrl) {
    const name = uniqueName("co_test");
    const admin = postgres(testServices.dbUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    const target = new URL(testServices.dbUrl);
    target.pathname = `/${name}`;
    url = target.toString();
    handle = await openDatabase({ kind: "postgres", url, poolSize: 5 });
    drop = async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    };
  } else {
    handle = await openDatabase({ kind: "pglite" });
  }
  await handle.migrate();
  if (seed) await seedContent(handle.db, readContentPack());
  return {
    handle,
    url,
    async dispose() {
      await handle.close();
      await drop();
    },
  };
}

export interface TestRedis {
  handle: RedisHandle;
  dispose(): Promise<void>;
}

/** A Redis connection with a key prefix of its own (its keys deleted afterwards), or null without Redis. */
export async function createTestRedis(prefix = `${uniqueName("co-test")}:`): Promise<TestRedis | null> {
  if (!testServices.redisUrl) return null;
  const handle = await connectRedis(testServices.redisUrl, prefix, createLogger("silent"));
  return {
    handle,
    async dispose() {
      let cursor = "0";
      do {
        const [next, keys] = await handle.client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
        cursor = next;
        if (keys.length > 0) await handle.client.del(...keys);
      } while (cursor !== "0");
      await handle.close();
    },
  };
}
