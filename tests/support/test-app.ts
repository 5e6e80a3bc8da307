import type { AddressInfo } from "node:net";
import type { Clock } from "../../server/src/ports/clock.js";
import type { Server } from "node:http";
import type { DestinationStream, Logger } from "pino";
import type { AppDeps } from "../../server/src/app-deps.js";
import { mintUserToken } from "../../server/src/auth/token-minter.js";
import { buildDeps } from "../../server/src/composition.js";
import { parseConfig, type Config } from "../../server/src/config/config.js";
import { createApp } from "../../server/src/http/app.js";
import { createLogger } from "../../server/src/logger.js";
import { connectRedis } from "../../server/src/adapters/redis/redis-client.js";
import { openDatabase } from "../../server/src/db/database.js";
import { createTestDatabase, createTestRedis, testServices, type TestDatabase, type TestRedis } from "./test-infra.js";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";
export const TEST_ISSUER = "api.scimigo.com";
export const TEST_AUDIENCE = "scimigo";

export interface TestApp {
  url: string;
  deps: AppDeps;
  config: Config;
  db: TestDatabase;
  redis: TestRedis | null;
  /** A valid bearer token for that user id. */
  tokenFor(sub: string): Promise<string>;
  /** `Authorization` header for that user id. */
  authFor(sub: string): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Share infrastructure between app instances (e.g. two instances, one database and Redis). */
  db?: TestDatabase;
  redis?: TestRedis | null;
  /** The same database and Redis key prefix as these, over connections of this app's own (as another process has). */
  connectTo?: { db: TestDatabase; redis: TestRedis | null };
  logDestination?: DestinationStream;
  logger?: Logger;
  /** The services' clock (default: the system's), e.g. to step past a time window. */
  clock?: Clock;
  /** `/trpc` answers its common calls before the official adapter (default on); off, the adapter answers all. */
  trpcFastPath?: boolean;
}

/**
 * The real graph (config → adapters → services → Express) on 127.0.0.1:0, against a
 * throwaway database and Redis prefix. Only infrastructure passed in is shared.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const config = parseConfig({
    CO_ENVIRONMENT: "test",
    CO_JWT_SECRET: TEST_JWT_SECRET,
    CO_LOG_LEVEL: options.logDestination ? "info" : "silent",
    CO_PORT: "0",
    ...options.env,
  });
  const ownsDb = !options.db;
  const ownsRedis = options.redis === undefined;
  const reconnected = options.connectTo ? await reconnect(options.connectTo) : undefined;
  const db = options.db ?? reconnected?.db ?? (await createTestDatabase());
  const redis = options.redis !== undefined ? options.redis : reconnected ? reconnected.redis : await createTestRedis();
  const logger = options.logger ?? createLogger(config.logLevel, options.logDestination);
  const deps = await buildDeps({ config, logger, database: db.handle, redis: redis?.handle ?? null, clock: options.clock });
  const app = createApp(deps, { trpcFastPath: options.trpcFastPath });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokenFor = (sub: string) =>
    mintUserToken({ secret: config.auth.secret!, sub, issuer: config.auth.issuer, audience: config.auth.audience, expiresIn: "1h" });
  return {
    url,
    deps,
    config,
    db,
    redis,
    tokenFor,
    authFor: async (sub) => ({ authorization: `Bearer ${await tokenFor(sub)}` }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.close();
      if (ownsRedis) await redis?.dispose();
      if (ownsDb) await db.dispose();
    },
  };
}

/** New connections to a real database and Redis prefix; disposing them closes the connections only. */
async function reconnect(to: { db: TestDatabase; redis: TestRedis | null }): Promise<{ db: TestDatabase; redis: TestRedis | null }> {
  if (!to.db.url) throw new Error("connectTo needs a real PostgreSQL (CO_TEST_DB_URL): PGlite is one in-process connection");
  const handle = await openDatabase({ kind: "postgres", url: to.db.url, poolSize: 5 });
  const db: TestDatabase = { handle, url: to.db.url, dispose: () => handle.close() };
  if (!to.redis) return { db, redis: null };
  const redisHandle = await connectRedis(testServices.redisUrl!, to.redis.handle.prefix, createLogger("silent"));
  return { db, redis: { handle: redisHandle, dispose: () => redisHandle.close() } };
}

/** fetch + JSON with the status and headers, for REST assertions. */
export async function http<T = unknown>(
  url: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: T }> {
  const { json, headers, ...rest } = init;
  const response = await fetch(url, {
    ...rest,
    headers: { ...(json !== undefined ? { "content-type": "application/json" } : {}), ...(headers as Record<string, string>) },
    ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, headers: response.headers, body: body as T };
}
