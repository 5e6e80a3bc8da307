import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { RateLimitDecision, RateLimiter } from "../../ports/rate-limiter.js";
import type { RedisHandle } from "../redis/redis-client.js";

/**
 * Sliding-window log in a sorted set, trimmed, counted and appended in one Lua script
 * using the Redis server's clock, so every instance shares one exact limit.
 */
const SLIDING_WINDOW = `
local key = KEYS[1]
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
local allowed = 0
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  count = count + 1
  allowed = 1
end
redis.call('PEXPIRE', key, window)
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, count, reset}
`;

type ScriptedRedis = RedisHandle["client"] & {
  slidingWindowHit(numberOfKeys: number, ...args: (string | number)[]): Promise<unknown>;
};

export class RedisRateLimiter implements RateLimiter {
  /** False while Redis is unreachable; readiness reports it. */
  healthy = true;
  private readonly client: ScriptedRedis;

  constructor(
    private readonly redis: RedisHandle,
    private readonly log: Logger,
  ) {
    if (!("slidingWindowHit" in redis.client)) redis.client.defineCommand("slidingWindowHit", { lua: SLIDING_WINDOW });
    this.client = redis.client as ScriptedRedis;
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    try {
      // EVALSHA with a fallback to EVAL: the script crosses the wire once, not per request.
      const [allowed, count, resetMs] = (await this.client.slidingWindowHit(
        1,
        `${this.redis.prefix}ratelimit:${key}`,
        windowSeconds * 1000,
        limit,
        randomUUID(),
      )) as [number, number, number];
      this.healthy = true;
      return {
        allowed: allowed === 1,
        limit,
        remaining: Math.max(0, limit - count),
        resetSeconds: Math.max(1, Math.ceil(resetMs / 1000)),
      };
    } catch (error) {
      // Fail open: an unreachable Redis must not take the API down with it.
      if (this.healthy) this.log.warn({ err: (error as Error).message }, "rate limiter failing open");
      this.healthy = false;
      return { allowed: true, limit, remaining: limit, resetSeconds: windowSeconds };
    }
  }
}
