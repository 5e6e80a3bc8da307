import type { Clock } from "../../ports/clock.js";

/** Median β of each key's problems, keyed `key_type:key_id`. */
export type KeyDifficulties = ReadonlyMap<string, number>;

/**
 * The median β of every key's problems, which mastery reads judge p_success against. β moves a
 * little with every graded submission, and mastery is read on every dashboard refresh, where
 * this was two aggregates over every problem per read. It is recomputed, every key in one
 * query, when it is older than `maxAgeMs`; a read that finds it older gets the last value at
 * once while one refresh runs, so at most one read in that window waits for the database.
 */
export class KeyDifficultyCache {
  private value: KeyDifficulties | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<KeyDifficulties> | undefined;

  constructor(
    private readonly load: () => Promise<KeyDifficulties>,
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
  ) {}

  get(): Promise<KeyDifficulties> {
    if (this.value && this.clock.now().getTime() - this.loadedAt < this.maxAgeMs) return Promise.resolve(this.value);
    this.refreshing ??= this.load()
      .then((value) => {
        this.value = value;
        this.loadedAt = this.clock.now().getTime();
        return value;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    if (!this.value) return this.refreshing;
    // A failed refresh leaves the last value in place; the next read tries again.
    this.refreshing.catch(() => {});
    return Promise.resolve(this.value);
  }
}
