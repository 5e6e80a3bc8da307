import type { Cache } from "../../ports/cache.js";
import type { RedisHandle } from "../redis/redis-client.js";

/** A cache miss on any Redis failure: the database stays the source of truth. */
export class RedisCache implements Cache {
  constructor(private readonly redis: RedisHandle) {}

  private key(key: string) {
    return `${this.redis.prefix}cache:${key}`;
  }

  async get<T>(key: string): Promise<T | undefined> {
    try {
      const raw = await this.redis.client.get(this.key(key));
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch {
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.client.set(this.key(key), JSON.stringify(value), "EX", ttlSeconds);
    } catch {
      // best effort
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.redis.client.del(this.key(key));
    } catch {
      // best effort
    }
  }
}
