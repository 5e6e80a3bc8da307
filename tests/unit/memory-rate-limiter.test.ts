import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "../../server/src/adapters/rate-limit/memory-rate-limiter.js";

/** A clock the test moves by hand. */
const manualClock = (start = Date.parse("2026-01-01T00:00:00Z")) => {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
};

describe("the in-process rate limiter", () => {
  it("allows the limit within a window, refuses the next with the time until a slot frees", async () => {
    const clock = manualClock();
    const limiter = new MemoryRateLimiter(clock);
    for (let i = 0; i < 3; i++) expect((await limiter.hit("user:a", 3, 60)).allowed).toBe(true);
    clock.advance(20_000);
    const refused = await limiter.hit("user:a", 3, 60);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, resetSeconds: 40 });
    clock.advance(40_000);
    expect((await limiter.hit("user:a", 3, 60)).allowed).toBe(true);
  });

  it("forgets callers that have been quiet for a whole window, so one-off IPs do not pile up", async () => {
    const clock = manualClock();
    const limiter = new MemoryRateLimiter(clock);
    for (let i = 0; i < 500; i++) await limiter.hit(`ip:10.0.${i >> 8}.${i & 255}`, 60, 60);
    expect(limiter.trackedKeys).toBe(500);
    clock.advance(61_000);
    await limiter.hit("user:still-here", 60, 60);
    expect(limiter.trackedKeys).toBe(1);
  });
});
