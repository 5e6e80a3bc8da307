import type { Clock } from "../../ports/clock.js";
import type { RateLimitDecision, RateLimiter } from "../../ports/rate-limiter.js";

/**
 * Sliding-window log per key, for a single instance without Redis. Keys that have been
 * quiet for a whole window are swept once per window, so callers seen once (anonymous
 * IPs) do not accumulate forever.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly hits = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(private readonly clock: Clock) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitDecision> {
    const now = this.clock.now().getTime();
    const windowMs = windowSeconds * 1000;
    if (now - this.lastSweep >= windowMs) this.sweep(now, windowMs);
    const recent = (this.hits.get(key) ?? []).filter((at) => at > now - windowMs);
    const allowed = recent.length < limit;
    if (allowed) recent.push(now);
    if (recent.length === 0) this.hits.delete(key);
    else this.hits.set(key, recent);
    const oldest = recent[0] ?? now;
    return {
      allowed,
      limit,
      remaining: Math.max(0, limit - recent.length),
      resetSeconds: Math.max(1, Math.ceil((oldest + windowMs - now) / 1000)),
    };
  }

  /** Number of callers currently tracked. */
  get trackedKeys(): number {
    return this.hits.size;
  }

  private sweep(now: number, windowMs: number) {
    this.lastSweep = now;
    const cutoff = now - windowMs;
    for (const [key, times] of this.hits) if ((times.at(-1) ?? 0) <= cutoff) this.hits.delete(key);
  }
}
