import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisRateLimiter } from "../../server/src/adapters/rate-limit/redis-rate-limiter.js";
import { createLogger } from "../../server/src/logger.js";
import { createTestRedis, testServices, type TestRedis } from "../support/test-infra.js";

describe.runIf(testServices.redisUrl)("the Redis sliding-window counter", () => {
  let redis: TestRedis;
  let limiter: RedisRateLimiter;
  beforeAll(async () => {
    redis = (await createTestRedis())!;
    limiter = new RedisRateLimiter(redis.handle, createLogger("silent"));
  });
  afterAll(() => redis.dispose());

  it("admits exactly the limit, refuses the rest with a retry within the window, and keeps one small hash per caller", async () => {
    const decisions = [];
    for (let i = 0; i < 50; i++) decisions.push(await limiter.hit("user:flood", 10, 60));
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
    expect(decisions.slice(10).every((decision) => !decision.allowed && decision.remaining === 0)).toBe(true);
    expect(decisions.map((decision) => decision.remaining).slice(0, 10)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    for (const decision of decisions) expect(decision.resetSeconds).toBeGreaterThanOrEqual(1), expect(decision.resetSeconds).toBeLessThanOrEqual(60);
    const key = `${redis.handle.prefix}ratelimit:user:flood`;
    expect(await redis.handle.client.type(key)).toBe("hash");
    expect(await redis.handle.client.hlen(key)).toBeLessThanOrEqual(2);
    expect(await redis.handle.client.pttl(key)).toBeGreaterThan(0);
  });

  it("counts each caller apart", async () => {
    expect((await limiter.hit("user:other", 1, 60)).allowed).toBe(true);
    expect((await limiter.hit("user:other", 1, 60)).allowed).toBe(false);
    expect((await limiter.hit("user:third", 1, 60)).allowed).toBe(true);
  });
});
