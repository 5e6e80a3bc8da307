import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ContentVersion } from "../../ports/content-version.js";
import type { RedisHandle } from "../redis/redis-client.js";

/**
 * The content version in Redis (`{prefix}content:version`, INCR'd on every change) and a
 * pub/sub channel announcing it, so each instance learns of a re-seed at once without asking
 * Redis on every request. While the subscription is down (Redis lost), the instance re-reads
 * the version when it comes back, so a change made meanwhile is not missed.
 */
export class RedisContentVersion implements ContentVersion {
  private version = 0;
  private readonly subscriber: Redis;

  private constructor(
    private readonly redis: RedisHandle,
    private readonly log: Logger,
  ) {
    this.subscriber = redis.client.duplicate({ lazyConnect: true, enableOfflineQueue: true });
    this.subscriber.on("error", () => {});
  }

  private get key() {
    return `${this.redis.prefix}content:version`;
  }

  private get channel() {
    return `${this.redis.prefix}content:changed`;
  }

  static async connect(redis: RedisHandle, log: Logger): Promise<RedisContentVersion> {
    const version = new RedisContentVersion(redis, log);
    await version.start();
    return version;
  }

  private async start() {
    this.subscriber.on("message", (_channel, message) => this.observe(Number(message)));
    // On every (re)connection: subscribe, then read, so no change falls between the two.
    this.subscriber.on("ready", () => void this.refresh());
    try {
      await this.subscriber.connect();
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.log.warn({ err: (error as Error).message }, "content version: no subscription yet; catalog caches refresh when Redis returns");
    }
    await this.refresh();
  }

  private observe(version: number) {
    if (Number.isFinite(version) && version !== this.version) this.version = version;
  }

  private async refresh() {
    try {
      this.observe(Number((await this.redis.client.get(this.key)) ?? 0));
    } catch {
      // Redis unreachable: keep the last known version.
    }
  }

  current(): number {
    return this.version;
  }

  async bump(): Promise<void> {
    const version = await this.redis.client.incr(this.key);
    this.observe(version);
    await this.redis.client.publish(this.channel, String(version));
  }

  async close(): Promise<void> {
    this.subscriber.disconnect();
  }
}
