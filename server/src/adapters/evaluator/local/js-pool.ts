import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AppError } from "../../../errors/app-error.js";
import { parseRunOutcome, type RunOutcome, type SandboxJob } from "./sandbox-outcome.js";
import { SandboxPool, type Slot } from "./sandbox-pool.js";

export interface JsPoolOptions {
  /** Number of pre-forked children (default 2). */
  size?: number;
  /** Extra wall-clock time a child gets beyond the job's budget before it is killed (default 2000 ms). */
  killMarginMs?: number;
}

type ChildSlot = Slot<ChildProcess, SandboxJob, RunOutcome>;

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
export class JsPool extends SandboxPool<ChildProcess, SandboxJob, RunOutcome> {
  private readonly killMarginMs: number;

  constructor(options: JsPoolOptions = {}) {
    super(Math.max(1, Math.floor(options.size ?? 2)));
    this.killMarginMs = options.killMarginMs ?? 2000;
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  /** Process ids of the current children (for diagnostics and tests). */
  get pids(): number[] {
    return [...this.slots].map((slot) => slot.sandbox.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Pids of the children running a job right now. */
  get busyPids(): number[] {
    return [...this.slots]
      .filter((slot) => slot.running !== null)
      .map((slot) => slot.sandbox.pid)
      .filter((pid): pid is number => pid !== undefined);
  }

  run(job: SandboxJob, signal?: AbortSignal): Promise<RunOutcome> {
    return this.enqueue(job, signal);
  }

  protected override spawn(): ChildSlot {
    const child = fork(WORKER_PATH, [], {
      execArgv: ["--no-node-snapshot"],
      env: childEnv(),
      stdio: ["ignore", "ignore", "ignore", "ipc"],
      serialization: "json",
    });
    const slot = this.addSlot(child);
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

  /** Any idle child, ready or not: IPC holds the job until a starting child listens. */
  protected override idleSlot(): ChildSlot | undefined {
    const idle = [...this.slots].find((slot) => slot.running === null);
    // Below size only after a child that never started died: fork its replacement on demand.
    return idle ?? (this.slots.size < this.size ? this.spawn() : undefined);
  }

  protected override hardStopMs(job: SandboxJob): number {
    return job.totalTimeoutMs + this.killMarginMs;
  }

  protected override overrun(_job: SandboxJob, execMs: number): RunOutcome {
    return { end: "timeout", message: "Time limit exceeded", tests: [], execMs };
  }

  protected override send(slot: ChildSlot, id: number, job: SandboxJob): void {
    slot.sandbox.send({ type: "run", id, job }, (error) => {
      if (error) this.fail(slot, () => ({ end: "runtime", message: "The sandbox could not be reached", tests: [], execMs: 0 }));
    });
  }

  protected override kill(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }

  private onMessage(slot: ChildSlot, message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const { type, id, outcome } = message as { type?: unknown; id?: unknown; outcome?: unknown };
    if (type === "ready") {
      slot.ready = true;
      return;
    }
    if (type !== "result" || slot.running?.ticket.id !== id) return;
    this.complete(slot, (ticket, execMs) =>
      ticket.resolve(parseRunOutcome(outcome) ?? { end: "runtime", message: "The sandbox returned an unreadable result", tests: [], execMs }),
    );
  }

  private onExit(slot: ChildSlot, code: number | null, signal: NodeJS.Signals | null): void {
    const wasInPool = this.exited(slot, (ticket, execMs) => {
      if (signal !== null || slot.ready) {
        // isolated-vm aborts its host on some heap exhaustions: a death by signal is a memory error.
        ticket.resolve(
          signal !== null
            ? { end: "memory", message: "Memory limit exceeded", tests: [], execMs }
            : { end: "runtime", message: `The sandbox exited unexpectedly (code ${code ?? "?"})`, tests: [], execMs },
        );
      } else {
        ticket.reject(new AppError("UNAVAILABLE", "The JavaScript sandbox could not start"));
      }
    });
    // Replace a child that had served; one that never started is replaced on demand, so a broken
    // installation fails each job quickly instead of respawning in a loop.
    if (wasInPool && !this.closed && slot.ready) this.spawn();
    this.dispatch();
  }
}
