import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AppError } from "../../../errors/app-error.js";
import { parseRunOutcome, type RunOutcome, type SandboxJob } from "./sandbox-outcome.js";

export interface PythonRunnerOptions {
  /** The interpreter to start (default "python3"). */
  command?: string;
  /** PATH of the child, its only environment variable: submissions must not see the server's secrets. */
  path?: string;
  /** Extra wall-clock time beyond the job's budget before the process is killed (default 2000 ms). */
  killMarginMs?: number;
}

const RUNNER_PATH = fileURLToPath(new URL("./python_runner.py", import.meta.url));
const MAX_STDOUT_BYTES = 32 * 1024 * 1024;

/**
 * Runs each Python submission in its own `python3` child process (JSON on stdin/stdout), with
 * the address-space, CPU and per-test limits set by the runner script and a wall-clock kill from
 * here. A development convenience, not a security boundary.
 */
export class PythonRunner {
  private readonly command: string;
  private readonly killMarginMs: number;
  private readonly path: string;
  private readonly running = new Set<ChildProcess>();
  /** How to stop each running child when the runner closes. */
  private readonly closeHandlers = new WeakMap<ChildProcess, () => void>();
  private closed = false;

  constructor(options: PythonRunnerOptions = {}) {
    this.command = options.command ?? "python3";
    this.killMarginMs = options.killMarginMs ?? 2000;
    this.path = options.path ?? "/usr/local/bin:/usr/bin:/bin";
  }

  run(job: SandboxJob, signal?: AbortSignal): Promise<RunOutcome> {
    if (this.closed) return Promise.reject(new AppError("UNAVAILABLE", "The evaluator is shutting down"));
    signal?.throwIfAborted();
    return new Promise<RunOutcome>((resolve, reject) => {
      const startedAt = performance.now();
      // Its own process group, so a kill also takes any processes the submission started.
      const child = spawn(this.command, ["-I", "-S", "-B", RUNNER_PATH], {
        stdio: ["pipe", "pipe", "ignore"],
        env: { PATH: this.path },
        detached: true,
      });
      this.running.add(child);

      const chunks: Buffer[] = [];
      let bytes = 0;
      let stoppedBy: "timeout" | "abort" | "output" | "close" | null = null;
      let settled = false;
      const elapsed = () => Math.round(performance.now() - startedAt);

      const stop = (reason: NonNullable<typeof stoppedBy>) => {
        if (stoppedBy === null) stoppedBy = reason;
        killGroup(child);
      };
      const timer = setTimeout(() => stop("timeout"), job.totalTimeoutMs + this.killMarginMs);
      const onAbort = () => stop("abort");
      signal?.addEventListener("abort", onAbort, { once: true });

      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.running.delete(child);
        action();
      };

      child.on("error", (error: NodeJS.ErrnoException) => {
        finish(() =>
          reject(
            error.code === "ENOENT"
              ? new AppError("UNAVAILABLE", "Python is not available on this server")
              : new AppError("UNAVAILABLE", "The Python sandbox could not start", {}, { cause: error }),
          ),
        );
      });
      child.stdout?.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_STDOUT_BYTES) stop("output");
        else chunks.push(chunk);
      });
      child.stdin?.on("error", () => {
        // The process died before reading its job; its exit says why.
      });
      child.on("close", (code, exitSignal) => {
        finish(() => {
          if (stoppedBy === "abort") return reject(signal?.reason);
          if (stoppedBy === "close") return reject(new AppError("UNAVAILABLE", "The evaluator is shutting down"));
          resolve(this.outcomeOf(stoppedBy, code, exitSignal, Buffer.concat(chunks).toString("utf8"), elapsed()));
        });
      });
      child.stdin?.end(JSON.stringify(job));
      this.closeHandlers.set(child, () => stop("close"));
    });
  }

  /** Kills every running submission. */
  async close(): Promise<void> {
    this.closed = true;
    const exits = [...this.running].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("close", () => resolve());
          this.closeHandlers.get(child)?.();
        }),
    );
    await Promise.all(exits);
  }

  private outcomeOf(
    stoppedBy: "timeout" | "output" | null,
    code: number | null,
    signal: NodeJS.Signals | null,
    stdout: string,
    execMs: number,
  ): RunOutcome {
    if (stoppedBy === "timeout") return { end: "timeout", message: "Time limit exceeded", tests: [], execMs };
    if (stoppedBy === "output") return { end: "runtime", message: "The result is too large", tests: [], execMs };
    if (signal === "SIGXCPU") return { end: "timeout", message: "CPU time limit exceeded", tests: [], execMs };
    if (signal !== null) return { end: "memory", message: "Memory limit exceeded", tests: [], execMs };
    if (code === 0) {
      try {
        const outcome = parseRunOutcome(JSON.parse(stdout));
        if (outcome) return outcome;
      } catch {
        // Falls through: no readable result.
      }
    }
    return { end: "runtime", message: "The Python process exited without a result", tests: [], execMs };
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL");
  }
}
