import superjson, { type SuperJSONResult } from "superjson";
import type { Cache } from "../ports/cache.js";
import type { Clock } from "../ports/clock.js";
import type { ContentVersion } from "../ports/content-version.js";

export interface CatalogCacheOptions {
  /** How long an entry is kept at most, whatever the version says (0 turns caching off). */
  ttlSeconds: number;
  /** Entries kept in this process at most. */
  maxEntries?: number;
}

/**
 * Catalog reads (tracks, their problems, a problem's public view) change only when content is
 * seeded or imported. They are kept in two tiers, both keyed by the content version: this
 * process's memory, then the shared Cache port (Redis when configured), then the loader. A
 * content change bumps the version on every instance, so nothing older is served again; the TTL
 * only bounds what a missed announcement (Redis lost at that moment) or a remote bank's own
 * changes could leave stale.
 */
export class CatalogCache {
  private readonly memo = new Map<string, { value: unknown; version: number; expiresAt: number }>();
  private readonly maxEntries: number;

  constructor(
    private readonly version: ContentVersion,
    private readonly shared: Cache,
    private readonly clock: Clock,
    private readonly options: CatalogCacheOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 2_000;
  }

  async read<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (this.options.ttlSeconds <= 0) return load();
    const version = this.version.current();
    const now = this.clock.now().getTime();
    const local = this.memo.get(key);
    if (local && local.version === version && local.expiresAt > now) return local.value as T;

    const sharedKey = `catalog:v${version}:${key}`;
    // superjson: the shared tier stores JSON, and tracks carry Dates.
    const stored = await this.shared.get<SuperJSONResult>(sharedKey);
    let value: T;
    if (stored !== undefined) value = superjson.deserialize<T>(stored);
    else {
      value = await load();
      // Not-found answers are thrown, never cached: only content that exists is kept.
      await this.shared.set(sharedKey, superjson.serialize(value), this.options.ttlSeconds);
    }
    if (this.memo.size >= this.maxEntries) this.memo.delete(this.memo.keys().next().value!);
    this.memo.set(key, { value, version, expiresAt: now + this.options.ttlSeconds * 1000 });
    return value;
  }
}
