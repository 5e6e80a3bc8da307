import { AppError } from "../../errors/app-error.js";
import type { SlotDecision, StreamSlots } from "../../ports/stream-slots.js";
import type { RedisHandle } from "../redis/redis-client.js";

/**
 * One sorted set per user: slot ids scored by their expiry (Redis server clock). Lapsed
 * slots are trimmed, the rest counted and the new one added in one script, so two
 * instances racing for the last slot cannot both win, and a dead instance's slots lapse.
 */
const ACQUIRE = `
local key = KEYS[1]
local max = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local member = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local count = redis.call('ZCARD', key)
if count >= max and not redis.call('ZSCORE', key, member) then
  return {0, count}
end
redis.call('ZADD', key, now + ttl, member)
local expiresAt = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
redis.call('PEXPIRE', key, math.max(1, expiresAt - now))
return {1, redis.call('ZCARD', key)}
`;

const IS_HELD = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if tonumber(score) > now then return 1 end
return 0
`;

export class RedisStreamSlots implements StreamSlots {
  constructor(private readonly redis: RedisHandle) {}

  async acquire(userId: string, slotId: string, max: number, ttlMs: number): Promise<SlotDecision> {
    try {
      const [acquired, active] = (await this.redis.client.eval(ACQUIRE, 1, this.keyOf(userId), max, ttlMs, slotId)) as [number, number];
      return { acquired: acquired === 1, active };
    } catch (error) {
      // Unlike the rate limiter this cannot fail open: the cap would stop holding across instances.
      throw new AppError("UNAVAILABLE", "Tutor streams are unavailable right now; try again shortly", {}, { cause: error });
    }
  }

  async release(userId: string, slotId: string): Promise<void> {
    await this.redis.client.zrem(this.keyOf(userId), slotId);
  }

  async isHeld(userId: string, slotId: string): Promise<boolean> {
    return (await this.redis.client.eval(IS_HELD, 1, this.keyOf(userId), slotId)) === 1;
  }

  private keyOf(userId: string): string {
    return `${this.redis.prefix}tutor-slots:${userId}`;
  }
}
