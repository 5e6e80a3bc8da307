import { Worker } from "node:worker_threads";
import type { ErrorCode } from "@co/shared";
import { AppError } from "../../../errors/app-error.js";
import type { MathEvaluation, MathEvaluationRequest } from "../../../ports/evaluator.js";
import { outOfTime } from "./math-budget.js";
import { parseReply, type MathJobMessage, type ThrownError } from "./math-protocol.js";

export interface MathPoolOptions {
  /** Most worker threads at once (default 2); they start on demand, as jobs arrive. */
  size?: number;
  /** Old-generation heap limit of a worker (default 256 MiB): a memory bomb ends the thread, not the API. */
  maxHeapMb?: number;
}

export interface MathLimits {
  /** The work budget the grader checks inside its loops (`MathDeadline`). */
  budgetMs: number;
  /** Wall-clock time after which a still-busy worker is terminated (the hard stop behind the budget). */
  hardStopMs: number;
}

interface PendingJob {
  id: number;
  request: MathEvaluationRequest;
  limits: MathLimits;
  resolve: (evaluation: MathEvaluation) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Slot {
  worker: Worker;
  /** Set once the thread has loaded the grader (mathjs takes a moment): jobs go only to ready threads. */
  ready: boolean;
  running: { pending: PendingJob; timer: NodeJS.Timeout; startedAt: number } | null;
}

const WORKER_URL = new URL("./math-worker.mjs", import.meta.url);

const shuttingDown = () => new AppError("UNAVAILABLE", "The evaluator is shutting down");

/** The grader's error as the API side's own type, so the HTTP layer maps it as before. */
function rebuild(error: ThrownError): Error {
  if (error.code) return new AppError(error.code as ErrorCode, error.message, error.details ?? {});
  return new Error(error.message);
}

/**
 * A small pool of worker threads that grade math answers, so a hostile answer costs a worker's
 * time and never the API's event loop. Jobs queue while every thread is busy. A thread still busy
 * at the job's hard stop is terminated (the answer is "not checked in time", as when the budget
 * runs out) and replaced; one that dies mid-grade (heap limit) is replaced the same way.
 */
export class MathPool {
  private readonly size: number;
  private readonly maxHeapMb: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: PendingJob[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: MathPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? 2));
    this.maxHeapMb = options.maxHeapMb ?? 256;
  }

  /** Thread ids of the current workers (for diagnostics and tests). */
  get threadIds(): number[] {
    return [...this.slots].map((slot) => slot.worker.threadId);
  }

  run(request: MathEvaluationRequest, limits: MathLimits, signal?: AbortSignal): Promise<MathEvaluation> {
    if (this.closed) return Promise.reject(shuttingDown());
    signal?.throwIfAborted();
    return new Promise<MathEvaluation>((resolve, reject) => {
      const pending: PendingJob = { id: this.nextId++, request, limits, resolve, reject, signal, onAbort: () => this.abort(pending) };
      signal?.addEventListener("abort", pending.onAbort, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Starts every thread now, so the first grading does not wait for one to load. */
  warmUp(): void {
    while (!this.closed && this.slots.size < this.size) this.spawn();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) this.settle(pending, () => pending.reject(shuttingDown()));
    const exits = [...this.slots].map((slot) => {
      const running = slot.running;
      if (running) {
        clearTimeout(running.timer);
        slot.running = null;
        this.settle(running.pending, () => running.pending.reject(shuttingDown()));
      }
      return slot.worker.terminate();
    });
    this.slots.clear();
    await Promise.all(exits);
  }

  private spawn(): Slot {
    // execArgv is inherited (tsx's hooks under `tsx` / `node --import tsx`); math-worker.mjs
    // loads the TypeScript grader either way, including under vitest where there are none.
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    const slot: Slot = { worker, ready: false, running: null };
    this.slots.add(slot);
    // Idle threads must not keep the server (or a test runner) alive; a running job's timer does.
    worker.unref();
    worker.on("message", (message: unknown) => this.onMessage(slot, message));
    worker.on("exit", () => this.onExit(slot));
    worker.on("error", () => {
      // An uncaught error or a heap-limit death: the exit that follows settles the job. Without
      // this listener the error would be thrown in the API process.
    });
    return slot;
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.ready && slot.running === null) this.start(slot, this.queue.shift()!);
    }
    // Start threads for the jobs still waiting, up to the pool's size.
    const starting = [...this.slots].filter((slot) => !slot.ready).length;
    for (let waiting = this.queue.length - starting; waiting > 0 && this.slots.size < this.size; waiting--) this.spawn();
  }

  private start(slot: Slot, pending: PendingJob): void {
    // The hard stop counts from here, not from the thread's start-up.
    const timer = setTimeout(() => this.onHardStop(slot), pending.limits.hardStopMs);
    slot.running = { pending, timer, startedAt: performance.now() };
    const job: MathJobMessage = { type: "grade", id: pending.id, request: pending.request, budgetMs: pending.limits.budgetMs };
    try {
      slot.worker.postMessage(job);
    } catch (error) {
      // A request that does not clone (not plain data): refuse it, keep the thread.
      clearTimeout(timer);
      slot.running = null;
      this.settle(pending, () => pending.reject(error));
      this.dispatch();
    }
  }

  private onMessage(slot: Slot, message: unknown): void {
    const reply = parseReply(message);
    if (reply?.type === "ready") {
      slot.ready = true;
      this.dispatch();
      return;
    }
    const running = slot.running;
    if (!running || (reply !== null && reply.id !== running.pending.id)) return;
    clearTimeout(running.timer);
    slot.running = null;
    const { pending } = running;
    if (reply === null) this.settle(pending, () => pending.reject(new AppError("INTERNAL", "The math checker returned an unreadable result")));
    else if (reply.type === "result") this.settle(pending, () => pending.resolve(reply.evaluation));
    else this.settle(pending, () => pending.reject(rebuild(reply.error)));
    this.dispatch();
  }

  private onExit(slot: Slot): void {
    const wasInPool = this.slots.delete(slot);
    if (!wasInPool) return; // retired or closed: already settled (and replaced)
    const running = slot.running;
    slot.running = null;
    if (running) {
      // Died mid-grade (its heap limit, most likely): not checked, like a spent budget.
      clearTimeout(running.timer);
      const evaluation: MathEvaluation = {
        correct: false,
        feedback: "The answer could not be checked; simplify the expressions or use fewer steps.",
        execMs: Math.round(performance.now() - running.startedAt),
      };
      this.settle(running.pending, () => running.pending.resolve(evaluation));
    }
    if (this.closed) return;
    if (slot.ready) {
      this.spawn();
      this.dispatch();
    } else if (this.slots.size === 0) {
      // No thread could start (a broken installation): fail what waits now rather than respawn in a loop.
      const unavailable = new AppError("UNAVAILABLE", "The math checker could not start");
      for (const pending of this.queue.splice(0)) this.settle(pending, () => pending.reject(unavailable));
    }
  }

  /** Past the hard stop: the same verdict as a spent budget (no `errorType`), then a fresh thread. */
  private onHardStop(slot: Slot): void {
    const running = slot.running;
    if (!running) return;
    slot.running = null;
    const evaluation = { ...outOfTime(running.pending.limits.budgetMs), execMs: Math.round(performance.now() - running.startedAt) };
    this.settle(running.pending, () => running.pending.resolve(evaluation));
    this.retire(slot);
  }

  private abort(pending: PendingJob): void {
    const queued = this.queue.indexOf(pending);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(pending, () => pending.reject(pending.signal?.reason));
      return;
    }
    for (const slot of this.slots) {
      const running = slot.running;
      if (running?.pending !== pending) continue;
      clearTimeout(running.timer);
      slot.running = null;
      this.settle(pending, () => pending.reject(pending.signal?.reason));
      this.retire(slot);
      return;
    }
  }

  /** Removes a thread from the pool, terminates it, and starts a replacement. */
  private retire(slot: Slot): void {
    this.slots.delete(slot);
    void slot.worker.terminate();
    if (!this.closed) this.spawn();
    this.dispatch();
  }

  private settle(pending: PendingJob, action: () => void): void {
    pending.signal?.removeEventListener("abort", pending.onAbort);
    action();
  }
}
