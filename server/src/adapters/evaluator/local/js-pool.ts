import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AppError } from "../../../errors/app-error.js";
import { parseRunOutcome, type RunOutcome, type SandboxJob } from "./sandbox-outcome.js";

export interface JsPoolOptions {
  /** Number of pre-forked children (default 2). */
  size?: number;
  /** Extra wall-clock time a child gets beyond the job's budget before it is killed (default 2000 ms). */
  killMarginMs?: number;
}

interface PendingJob {
  id: number;
  job: SandboxJob;
  resolve: (outcome: RunOutcome) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  running: { pending: PendingJob; timer: NodeJS.Timeout; startedAt: number } | null;
}

const WORKER_PATH = fileURLToPath(new URL("./js-worker.mjs", import.meta.url));

/**
 * The child's environment is empty on purpose: it needs nothing from the parent, and the
 * parent's holds secrets (database URL, JWT secret) that sandboxed code must never reach.
 */
function childEnv(): NodeJS.ProcessEnv {
  return {};
}

/**
 * A small pool of pre-forked child processes that run JavaScript submissions in isolated-vm.
 * Jobs queue while every child is busy. A child that dies during a job (isolated-vm aborts the
 * process on some memory bombs) yields a memory error for that job and is replaced; a child that
 * overruns the job's wall-clock budget is killed and the job reports a timeout.
 */
export class JsPool {
  private readonly size: number;
  private readonly killMarginMs: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: PendingJob[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: JsPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? 2));
    this.killMarginMs = options.killMarginMs ?? 2000;
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  /** Process ids of the current children (for diagnostics and tests). */
  get pids(): number[] {
    return [...this.slots].map((slot) => slot.child.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Pids of the children running a job right now. */
  get busyPids(): number[] {
    return [...this.slots]
      .filter((slot) => slot.running !== null)
      .map((slot) => slot.child.pid)
      .filter((pid): pid is number => pid !== undefined);
  }

  run(job: SandboxJob, signal?: AbortSignal): Promise<RunOutcome> {
    if (this.closed) return Promise.reject(new AppError("UNAVAILABLE", "The evaluator is shutting down"));
    signal?.throwIfAborted();
    return new Promise<RunOutcome>((resolve, reject) => {
      const pending: PendingJob = { id: this.nextId++, job, resolve, reject, signal, onAbort: () => this.abort(pending) };
      signal?.addEventListener("abort", pending.onAbort, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const shuttingDown = new AppError("UNAVAILABLE", "The evaluator is shutting down");
    for (const pending of this.queue.splice(0)) this.settle(pending, () => pending.reject(shuttingDown));
    const exits = [...this.slots].map((slot) => {
      const running = slot.running;
      if (running) {
        clearTimeout(running.timer);
        slot.running = null;
        this.settle(running.pending, () => running.pending.reject(shuttingDown));
      }
      return this.kill(slot);
    });
    this.slots.clear();
    await Promise.all(exits);
  }

  private spawn(): Slot {
    const child = fork(WORKER_PATH, [], {
      execArgv: ["--no-node-snapshot"],
      env: childEnv(),
      stdio: ["ignore", "ignore", "ignore", "ipc"],
      serialization: "json",
    });
    const slot: Slot = { child, ready: false, running: null };
    this.slots.add(slot);
    // Idle children must not keep the server (or a test runner) alive; a running job's timer does.
    child.unref();
    child.channel?.unref();
    child.on("message", (message: unknown) => this.onMessage(slot, message));
    child.on("exit", (code, signal) => this.onExit(slot, code, signal));
    child.on("error", () => {
      // A failed spawn or send: the exit handler (or the kill timer) settles the job.
    });
    return slot;
  }

  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      let slot = [...this.slots].find((candidate) => candidate.running === null);
      if (!slot && this.slots.size < this.size) slot = this.spawn();
      if (!slot) return;
      const pending = this.queue.shift()!;
      const timer = setTimeout(() => this.onWallClock(slot), pending.job.totalTimeoutMs + this.killMarginMs);
      slot.running = { pending, timer, startedAt: performance.now() };
      slot.child.send({ type: "run", id: pending.id, job: pending.job }, (error) => {
        if (error) this.failRunning(slot, { end: "runtime", message: "The sandbox could not be reached", tests: [], execMs: 0 });
      });
    }
  }

  private onMessage(slot: Slot, message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const { type, id, outcome } = message as { type?: unknown; id?: unknown; outcome?: unknown };
    if (type === "ready") {
      slot.ready = true;
      return;
    }
    const running = slot.running;
    if (type !== "result" || !running || running.pending.id !== id) return;
    clearTimeout(running.timer);
    slot.running = null;
    const parsed = parseRunOutcome(outcome) ?? {
      end: "runtime",
      message: "The sandbox returned an unreadable result",
      tests: [],
      execMs: Math.round(performance.now() - running.startedAt),
    };
    this.settle(running.pending, () => running.pending.resolve(parsed));
    this.dispatch();
  }

  private onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    const wasInPool = this.slots.delete(slot);
    const running = slot.running;
    slot.running = null;
    if (running) {
      clearTimeout(running.timer);
      const execMs = Math.round(performance.now() - running.startedAt);
      if (signal !== null || slot.ready) {
        // isolated-vm aborts its host on some heap exhaustions: a death by signal is a memory error.
        const outcome: RunOutcome =
          signal !== null
            ? { end: "memory", message: "Memory limit exceeded", tests: [], execMs }
            : { end: "runtime", message: `The sandbox exited unexpectedly (code ${code ?? "?"})`, tests: [], execMs };
        this.settle(running.pending, () => running.pending.resolve(outcome));
      } else {
        this.settle(running.pending, () =>
          running.pending.reject(new AppError("UNAVAILABLE", "The JavaScript sandbox could not start")),
        );
      }
    }
    // Replace a child that had served; one that never started is replaced on demand, so a broken
    // installation fails each job quickly instead of respawning in a loop.
    if (wasInPool && !this.closed && slot.ready) this.spawn();
    this.dispatch();
  }

  private onWallClock(slot: Slot): void {
    const running = slot.running;
    if (!running) return;
    this.failRunning(slot, {
      end: "timeout",
      message: "Time limit exceeded",
      tests: [],
      execMs: Math.round(performance.now() - running.startedAt),
    });
  }

  /** Settles the slot's job with `outcome`, then kills and replaces its child. */
  private failRunning(slot: Slot, outcome: RunOutcome): void {
    const running = slot.running;
    if (!running) return;
    clearTimeout(running.timer);
    slot.running = null;
    this.settle(running.pending, () => running.pending.resolve(outcome));
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

  /** Removes a child from the pool, kills it, and forks a replacement. */
  private retire(slot: Slot): void {
    this.slots.delete(slot);
    void this.kill(slot);
    if (!this.closed) this.spawn();
    this.dispatch();
  }

  private kill(slot: Slot): Promise<void> {
    const { child } = slot;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  private settle(pending: PendingJob, action: () => void): void {
    pending.signal?.removeEventListener("abort", pending.onAbort);
    action();
  }
}
