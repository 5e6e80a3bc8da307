import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AppError } from "../../../errors/app-error.js";
import { parseRunOutcome, type RunOutcome, type SandboxJob } from "./sandbox-outcome.js";
import { SandboxPool, type Slot } from "./sandbox-pool.js";

export interface PythonPoolOptions {
  /** Sandbox processes (default 2); each runs one submission at a time. */
  size?: number;
  /** Extra wall-clock time beyond the job's budget before its process is killed (default 2000 ms). */
  killMarginMs?: number;
}

type ChildSlot = Slot<ChildProcess, SandboxJob, RunOutcome>;

const HOST_PATH = fileURLToPath(new URL("./python-host.mjs", import.meta.url));
const SANDBOX_FILES = ["python-host.mjs", "python-interpreter.mjs", "python-lockdown.mjs", "python_harness.py"].map((name) =>
  fileURLToPath(new URL(`./${name}`, import.meta.url)),
);
const PYODIDE_DIR = dirname(createRequire(import.meta.url).resolve("pyodide/package.json"));

/**
 * How a sandbox process starts: Node's permission model lets it read Pyodide and its own four
 * files and nothing else, write nothing, start no process and load no addon; strings never
 * become code, so Python that reaches a JavaScript function through Pyodide's bridge still
 * cannot write JavaScript of its own. (Worker threads are allowed: the interpreters run in them.)
 */
export function sandboxExecArgv(): string[] {
  return [
    "--permission",
    ...[`${PYODIDE_DIR}/`, ...SANDBOX_FILES].map((path) => `--allow-fs-read=${path}`),
    "--allow-worker",
    "--disallow-code-generation-from-strings",
    "--no-warnings",
  ];
}

/**
 * A small pool of Python sandbox processes (python-host.mjs). Each runs CPython 3.14 compiled to
 * WebAssembly (Pyodide), one fresh interpreter per submission, under a memory cap and per-test
 * budgets it enforces itself; the pool kills a process that overruns the job's whole budget
 * (its process group: it runs in a session of its own) and starts a replacement. Its
 * environment holds nothing of the server's.
 */
export class PythonPool extends SandboxPool<ChildProcess, SandboxJob, RunOutcome> {
  private readonly killMarginMs: number;
  /** Slots whose process has loaded Pyodide at least once (`ready` drops between jobs). */
  private readonly started = new WeakSet<ChildSlot>();

  constructor(options: PythonPoolOptions = {}) {
    super(Math.max(1, Math.floor(options.size ?? 2)));
    this.killMarginMs = options.killMarginMs ?? 2000;
    for (let i = 0; i < this.size; i++) this.spawn();
  }

  /** Process ids of the current sandbox processes (for diagnostics and tests). */
  get pids(): number[] {
    return [...this.slots].map((slot) => slot.sandbox.pid).filter((pid): pid is number => pid !== undefined);
  }

  run(job: SandboxJob, signal?: AbortSignal): Promise<RunOutcome> {
    return this.enqueue(job, signal);
  }

  protected override spawn(): ChildSlot {
    const child = fork(HOST_PATH, [pathToFileURL(`${PYODIDE_DIR}/pyodide.mjs`).href, `${PYODIDE_DIR}/`], {
      execArgv: sandboxExecArgv(),
      // Nothing of the server's. Fewer malloc arenas: a thread per submission otherwise leaves
      // the process at ~440 MB resident instead of ~300 MB.
      env: { MALLOC_ARENA_MAX: "2" },
      stdio: ["ignore", "ignore", "ignore", "ipc"],
      serialization: "json",
      detached: true,
    });
    const slot = this.addSlot(child);
    // Idle processes must not keep the server (or a test runner) alive; a running job's timer does.
    child.unref();
    child.channel?.unref();
    child.on("message", (message: unknown) => this.onMessage(slot, message));
    child.on("exit", (code, signal) => this.onExit(slot, code, signal));
    child.on("error", () => {
      // A failed spawn or send: the exit handler (or the hard stop) settles the job.
    });
    return slot;
  }

  /** Only a process with an interpreter loaded takes a job (about 2 s at start, 0.3 s after each job). */
  protected override idleSlot(): ChildSlot | undefined {
    const idle = [...this.slots].find((slot) => slot.ready && slot.running === null);
    if (!idle && this.slots.size < this.size) this.spawn();
    return idle;
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
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    });
  }

  private onMessage(slot: ChildSlot, message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const { type, id, outcome } = message as { type?: unknown; id?: unknown; outcome?: unknown };
    if (type === "ready") {
      slot.ready = true;
      this.started.add(slot);
      this.dispatch();
      return;
    }
    if (type !== "result" || slot.running?.ticket.id !== id) return;
    // Its next interpreter is loading; the process says "ready" again when it has.
    slot.ready = false;
    this.complete(slot, (ticket, execMs) =>
      ticket.resolve(parseRunOutcome(outcome) ?? { end: "runtime", message: "The sandbox returned an unreadable result", tests: [], execMs }),
    );
  }

  private onExit(slot: ChildSlot, code: number | null, signal: NodeJS.Signals | null): void {
    const wasInPool = this.exited(slot, (ticket, execMs) => {
      ticket.resolve(
        signal !== null
          ? { end: "memory", message: "Memory limit exceeded", tests: [], execMs }
          : { end: "runtime", message: `The sandbox exited unexpectedly (code ${code ?? "?"})`, tests: [], execMs },
      );
    });
    if (!wasInPool || this.closed) return;
    if (this.started.has(slot)) {
      this.spawn();
      this.dispatch();
    } else if (![...this.slots].some((other) => this.started.has(other))) {
      // No process could load Pyodide (a broken installation): fail what waits rather than respawn in a loop.
      this.rejectQueued(new AppError("UNAVAILABLE", "The Python sandbox could not start"));
    }
  }
}
