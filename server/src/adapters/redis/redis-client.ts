import { Redis } from "ioredis";
import type { Logger } from "pino";

export interface RedisHandle {
  client: Redis;
  /** Key prefix, so tests and tenants never collide. */
  prefix: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Commands fail fast while disconnected (no offline queue), so callers can fail open
 * instead of hanging; ioredis keeps reconnecting in the background. Commands issued in the
 * same event-loop turn go out in one write (auto-pipelining): a tRPC batch counts each of its
 * calls against the rate limit, and concurrent requests' commands share writes too.
 */
export async function connectRedis(url: string, prefix: string, log: Logger): Promise<RedisHandle> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableAutoPipelining: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 3000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let lastError = "";
  client.on("error", (error: Error) => {
    if (error.message !== lastError) log.warn({ err: error.message }, "redis connection error");
    lastError = error.message;
  });
  client.on("ready", () => {
    lastError = "";
  });
  // Down at start is the same as down later: fail open and keep reconnecting, rather than
  // refuse to start (readiness says `degraded` meanwhile).
  await client.connect().catch((error: Error) => {
    log.warn({ err: error.message }, "redis unreachable at start; failing open until it connects");
  });
  return {
    client,
    prefix,
    ping: async () => {
      await client.ping();
    },
    close: async () => {
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
