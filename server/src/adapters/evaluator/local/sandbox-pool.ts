import { AppError } from "../../../errors/app-error.js";

/** A job handed to the pool; settling it also detaches its abort listener. */
export interface Ticket<J, R> {
  readonly id: number;
  readonly job: J;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/** One sandbox (a child process, a worker thread) and the job it runs, if any. */
export interface Slot<S, J, R> {
  readonly sandbox: S;
  /** Set by the adapter once the sandbox says it has loaded. */
  ready: boolean;
  running: { ticket: Ticket<J, R>; timer: NodeJS.Timeout; startedAt: number } | null;
}

interface Queued<J, R> extends Ticket<J, R> {
  readonly signal: AbortSignal | undefined;
}

const shuttingDown = () => new AppError("UNAVAILABLE", "The evaluator is shutting down");

/**
 * The queue, slot, abort and hard-stop machinery shared by the evaluator's sandbox pools; a
 * subclass says how to start, reach and kill its kind of sandbox.
 *
 * Guarantees:
 * - every job is settled exactly once, and its abort listener is removed before it is;
 * - a job runs in at most one sandbox, and a sandbox runs at most one job at a time;
 * - a job still running `hardStopMs(job)` after it was sent resolves with `overrun(job, execMs)`,
 *   and its sandbox is killed and replaced;
 * - aborting a queued job removes it from the queue; aborting a running one also replaces its
 *   sandbox (the only way to stop a job mid-run); either way the job rejects with the signal's reason;
 * - after `close()` nothing is spawned or dispatched, every queued and running job rejects with
 *   UNAVAILABLE, and the returned promise waits for every sandbox to be gone.
 *
 * The subclass reports its sandbox's events: it sets `slot.ready`, calls `complete()` when a
 * result arrives, and `exited()` when the sandbox dies; what to spawn then is its own policy.
 */
export abstract class SandboxPool<S, J, R> {
  protected readonly slots = new Set<Slot<S, J, R>>();
  protected closed = false;
  private readonly queue: Queued<J, R>[] = [];
  private nextId = 1;

  protected constructor(protected readonly size: number) {}

  /** Starts a sandbox and registers it with `addSlot()`. */
  protected abstract spawn(): Slot<S, J, R>;
  /** Hands the job to the slot's sandbox; the hard-stop timer is already running. */
  protected abstract send(slot: Slot<S, J, R>, id: number, job: J): void;
  /** Milliseconds after which a job still running is cut short. */
  protected abstract hardStopMs(job: J): number;
  /** What a job cut short by its hard stop resolves with. */
  protected abstract overrun(job: J, execMs: number): R;
  /** Ends the sandbox; resolves once it is gone. */
  protected abstract kill(sandbox: S): Promise<unknown>;
  /** An idle slot that may take a job now (or a freshly spawned one), if any. */
  protected abstract idleSlot(): Slot<S, J, R> | undefined;

  protected enqueue(job: J, signal: AbortSignal | undefined): Promise<R> {
    if (this.closed) return Promise.reject(shuttingDown());
    signal?.throwIfAborted();
    return new Promise<R>((resolve, reject) => {
      const onAbort = () => this.abort(queued);
      const detach = () => signal?.removeEventListener("abort", onAbort);
      const queued: Queued<J, R> = {
        id: this.nextId++,
        job,
        signal,
        resolve: (result) => {
          detach();
          resolve(result);
        },
        reject: (error) => {
          detach();
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(queued);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const queued of this.queue.splice(0)) queued.reject(shuttingDown());
    const exits = [...this.slots].map((slot) => {
      this.take(slot)?.ticket.reject(shuttingDown());
      return this.kill(slot.sandbox);
    });
    this.slots.clear();
    await Promise.all(exits);
  }

  protected get waiting(): number {
    return this.queue.length;
  }

  protected addSlot(sandbox: S): Slot<S, J, R> {
    const slot: Slot<S, J, R> = { sandbox, ready: false, running: null };
    this.slots.add(slot);
    return slot;
  }

  /** Gives queued jobs to idle slots, in order, for as long as there are both. */
  protected dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      const slot = this.idleSlot();
      if (!slot) return;
      const ticket = this.queue.shift()!;
      // The hard stop counts from the hand-over, not from the sandbox's start-up.
      const timer = setTimeout(() => this.fail(slot, (job, execMs) => this.overrun(job, execMs)), this.hardStopMs(ticket.job));
      slot.running = { ticket, timer, startedAt: performance.now() };
      this.send(slot, ticket.id, ticket.job);
    }
  }

  /** Frees the slot (its hard stop cleared) and returns the job it was running, if any. */
  protected take(slot: Slot<S, J, R>): { ticket: Ticket<J, R>; execMs: number } | null {
    const running = slot.running;
    if (!running) return null;
    clearTimeout(running.timer);
    slot.running = null;
    return { ticket: running.ticket, execMs: Math.round(performance.now() - running.startedAt) };
  }

  /** The slot's job is done: settle it as `settle` says, then give the slot the next job. */
  protected complete(slot: Slot<S, J, R>, settle: (ticket: Ticket<J, R>, execMs: number) => void): void {
    const taken = this.take(slot);
    if (!taken) return;
    settle(taken.ticket, taken.execMs);
    this.dispatch();
  }

  /** Resolves the slot's job with `result`, then replaces the sandbox (it may be stuck or broken). */
  protected fail(slot: Slot<S, J, R>, result: (job: J, execMs: number) => R): void {
    const taken = this.take(slot);
    if (!taken) return;
    taken.ticket.resolve(result(taken.ticket.job, taken.execMs));
    this.retire(slot);
  }

  /**
   * The sandbox has exited: drops the slot and lets `settle` settle the job it was running, if any.
   * Returns whether the slot was still in the pool (false once retired or closed).
   */
  protected exited(slot: Slot<S, J, R>, settle: (ticket: Ticket<J, R>, execMs: number) => void): boolean {
    const wasInPool = this.slots.delete(slot);
    const taken = this.take(slot);
    if (taken) settle(taken.ticket, taken.execMs);
    return wasInPool;
  }

  /** Rejects every queued job with `error` (when no sandbox can start, waiting is pointless). */
  protected rejectQueued(error: unknown): void {
    for (const queued of this.queue.splice(0)) queued.reject(error);
  }

  private abort(queued: Queued<J, R>): void {
    const index = this.queue.indexOf(queued);
    if (index >= 0) {
      this.queue.splice(index, 1);
      queued.reject(queued.signal?.reason);
      return;
    }
    for (const slot of this.slots) {
      if (slot.running?.ticket !== queued) continue;
      this.take(slot);
      queued.reject(queued.signal?.reason);
      this.retire(slot);
      return;
    }
  }

  /** Removes a sandbox from the pool, kills it, and starts a replacement. */
  private retire(slot: Slot<S, J, R>): void {
    this.slots.delete(slot);
    void this.kill(slot.sandbox);
    if (!this.closed) this.spawn();
    this.dispatch();
  }
}
