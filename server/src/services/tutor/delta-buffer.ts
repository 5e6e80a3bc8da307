/**
 * Coalesces a provider's many small deltas into few stream events: a delta is written at
 * once when nothing was written for `intervalMs`, otherwise it waits with the ones after it
 * until the interval has passed or `maxChars` are pending. Writes happen one at a time, in
 * order; `drain` writes what is pending and reports the first failed write.
 */
export class DeltaBuffer {
  private pending = "";
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly write: (content: string) => Promise<void>,
    private readonly options: { intervalMs: number; maxChars: number },
  ) {}

  /** Queues a delta; resolves once a write it caused is done (back-pressure), rejects after a failed write. */
  async add(content: string): Promise<void> {
    this.throwIfFailed();
    if (content === "") return;
    this.pending += content;
    const wait = this.lastWriteAt + this.options.intervalMs - performance.now();
    if (wait <= 0 || this.pending.length >= this.options.maxChars) {
      this.flush();
      await this.writes;
      this.throwIfFailed();
    } else {
      this.timer ??= setTimeout(() => this.flush(), wait);
    }
  }

  /** Writes whatever is pending and waits for every write. */
  async drain(): Promise<void> {
    this.flush();
    await this.writes;
    this.throwIfFailed();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending === "" || this.failure) return;
    const content = this.pending;
    this.pending = "";
    this.lastWriteAt = performance.now();
    this.writes = this.writes
      .then(() => (this.failure ? undefined : this.write(content)))
      .catch((error: unknown) => void (this.failure ??= { error }));
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}
