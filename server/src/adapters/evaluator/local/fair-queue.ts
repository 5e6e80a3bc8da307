import { AppError } from "../../../errors/app-error.js";

export interface FairQueueOptions {
  /** Jobs each lane (a sandbox pool) runs at once: its number of sandboxes. */
  capacity: Record<string, number>;
  /** Jobs one owner may have running at once, over all lanes. */
  perOwner: number;
  /** Jobs that may wait, over all lanes without a room of their own; one more is refused. */
  maxWaiting: number;
  /**
   * Lanes whose jobs wait in a room of their own, with its size: jobs far shorter than the
   * others' (a math check) would otherwise be refused behind a queue that drains in milliseconds.
   */
  rooms?: Record<string, number>;
  /** What a refused caller is told to wait, in seconds. */
  retryAfterSeconds: number;
}

interface Waiting {
  lane: string;
  owner: string | undefined;
  start(): void;
  reject(error: unknown): void;
}

/**
 * Admission in front of the sandbox pools, so one user cannot hold every sandbox: a job runs
 * only while its lane has a free sandbox and its owner has fewer than `perOwner` jobs running;
 * otherwise it waits, and the first waiting job that may run (oldest first) starts whenever a job
 * ends. A job without an owner (an internal caller such as the content check) is limited by its
 * lane only. When `maxWaiting` jobs already wait (or a lane's own room is full), the next is
 * refused with UNAVAILABLE and `details.retry_after`, which the HTTP layer turns into `Retry-After`.
 */
export class FairQueue {
  private readonly running = new Map<string, number>();
  private readonly owners = new Map<string, number>();
  private readonly waiting: Waiting[] = [];
  private closed = false;

  constructor(private readonly options: FairQueueOptions) {}

  /** Runs `work` once admitted; rejects with the signal's reason if aborted while waiting. */
  run<T>(lane: string, owner: string | undefined, work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new AppError("UNAVAILABLE", "The evaluator is shutting down"));
    signal?.throwIfAborted();
    if (this.mayStart(lane, owner)) return this.start(lane, owner, work);
    if (this.roomIsFull(lane)) {
      const seconds = this.options.retryAfterSeconds;
      return Promise.reject(
        new AppError("UNAVAILABLE", `The evaluator is busy; retry in ${seconds} s`, { retry_after: seconds }),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(signal?.reason);
      };
      const entry: Waiting = {
        lane,
        owner,
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          this.start(lane, owner, work).then(resolve, reject);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Jobs waiting now (for tests and diagnostics). */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Refuses every waiting job and any new one. */
  close(): void {
    this.closed = true;
    for (const entry of this.waiting.splice(0)) entry.reject(new AppError("UNAVAILABLE", "The evaluator is shutting down"));
  }

  /** Whether the waiting room `lane` waits in (its own, else the shared one) has no place left. */
  private roomIsFull(lane: string): boolean {
    const rooms = this.options.rooms ?? {};
    const own = rooms[lane];
    const waitsHere = (entry: Waiting) => (own === undefined ? rooms[entry.lane] === undefined : entry.lane === lane);
    let count = 0;
    for (const entry of this.waiting) if (waitsHere(entry)) count++;
    return count >= (own ?? this.options.maxWaiting);
  }

  private mayStart(lane: string, owner: string | undefined): boolean {
    const capacity = this.options.capacity[lane] ?? 1;
    if ((this.running.get(lane) ?? 0) >= capacity) return false;
    return owner === undefined || (this.owners.get(owner) ?? 0) < this.options.perOwner;
  }

  private async start<T>(lane: string, owner: string | undefined, work: () => Promise<T>): Promise<T> {
    bump(this.running, lane, 1);
    if (owner !== undefined) bump(this.owners, owner, 1);
    try {
      return await work();
    } finally {
      bump(this.running, lane, -1);
      if (owner !== undefined) bump(this.owners, owner, -1);
      this.admit();
    }
  }

  /** Starts, oldest first, every waiting job that may run now. */
  private admit(): void {
    for (let i = 0; i < this.waiting.length && !this.closed; ) {
      const entry = this.waiting[i]!;
      if (!this.mayStart(entry.lane, entry.owner)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      entry.start();
    }
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next === 0) counts.delete(key);
  else counts.set(key, next);
}
