import type { Logger } from "pino";
import type { RateLimitDecision, RateLimiter } from "../../ports/rate-limiter.js";
import type { RedisHandle } from "../redis/redis-client.js";

/**
 * A sliding-window counter (the approach Cloudflare describes for its rate limiting): one hash
 * per caller holding a count for the current fixed window and the one before, the previous
 * count weighted by how much of it still overlaps the sliding window. O(1) time and memory per
 * caller, whatever the limit, instead of one sorted-set entry per request. Counted and checked
 * in one Lua script on the Redis server's clock, so every instance shares one limit.
 * Returns {allowed, count in the sliding window, ms until the reset (see the script)}.
 */
const SLIDING_WINDOW = `
local key = KEYS[1]
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local index = math.floor(now / window)
local elapsed = now - index * window
local counts = redis.call('HMGET', key, tostring(index), tostring(index - 1))
local current = tonumber(counts[1] or '0')
local previous = tonumber(counts[2] or '0')
local weight = (window - elapsed) / window
local count = previous * weight + current
local allowed = 0
if count + 1 <= limit then
  current = redis.call('HINCRBY', key, tostring(index), 1)
  count = count + 1
  allowed = 1
  if redis.call('HLEN', key) > 2 then
    for _, field in ipairs(redis.call('HKEYS', key)) do
      if tonumber(field) < index - 1 then redis.call('HDEL', key, field) end
    end
  end
  redis.call('PEXPIRE', key, window * 2)
end
-- Allowed: the next window boundary, from which this window's count starts to fade.
-- Refused: when the weighted count falls to limit - 1: within this window as the previous one
-- fades (previous * (window - e) / window + current <= limit - 1), else in the next as this fades.
local retry = window - elapsed
local room = limit - 1 - current
if allowed == 1 then
  retry = window - elapsed
elseif room >= 0 and previous > 0 then
  local e = window * (1 - room / previous)
  if e > elapsed then retry = e - elapsed else retry = 0 end
elseif current > 0 then
  retry = (window - elapsed) + window * (1 - (limit - 1) / current)
end
return {allowed, math.ceil(count), math.ceil(retry)}
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
      const [allowed, count, retryMs] = (await this.client.slidingWindowHit(
        1,
        `${this.redis.prefix}ratelimit:${key}`,
        windowSeconds * 1000,
        limit,
      )) as [number, number, number];
      this.healthy = true;
      return {
        allowed: allowed === 1,
        limit,
        remaining: Math.max(0, limit - count),
        resetSeconds: Math.min(windowSeconds, Math.max(1, Math.ceil(retryMs / 1000))),
      };
    } catch (error) {
      // Fail open: an unreachable Redis must not take the API down with it.
      if (this.healthy) this.log.warn({ err: (error as Error).message }, "rate limiter failing open");
      this.healthy = false;
      return { allowed: true, limit, remaining: limit, resetSeconds: windowSeconds };
    }
  }
}
