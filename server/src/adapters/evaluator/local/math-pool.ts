import { Worker } from "node:worker_threads";
import type { ErrorCode } from "@co/shared";
import { AppError } from "../../../errors/app-error.js";
import type { MathEvaluation, MathEvaluationRequest } from "../../../ports/evaluator.js";
import { outOfTime } from "./math-budget.js";
import { parseReply, type MathJobMessage, type ThrownError } from "./math-protocol.js";
import { SandboxPool, type Slot } from "./sandbox-pool.js";

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

interface MathJob {
  request: MathEvaluationRequest;
  limits: MathLimits;
}

type ThreadSlot = Slot<Worker, MathJob, MathEvaluation>;

const WORKER_URL = new URL("./math-worker.mjs", import.meta.url);

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
export class MathPool extends SandboxPool<Worker, MathJob, MathEvaluation> {
  private readonly maxHeapMb: number;

  constructor(options: MathPoolOptions = {}) {
    super(Math.max(1, Math.floor(options.size ?? 2)));
    this.maxHeapMb = options.maxHeapMb ?? 256;
  }

  /** Thread ids of the current workers (for diagnostics and tests). */
  get threadIds(): number[] {
    return [...this.slots].map((slot) => slot.sandbox.threadId);
  }

  run(request: MathEvaluationRequest, limits: MathLimits, signal?: AbortSignal): Promise<MathEvaluation> {
    return this.enqueue({ request, limits }, signal);
  }

  /** Starts every thread now, so the first grading does not wait for one to load. */
  warmUp(): void {
    while (!this.closed && this.slots.size < this.size) this.spawn();
  }

  protected override spawn(): ThreadSlot {
    // execArgv is inherited (tsx's hooks under `tsx` / `node --import tsx`); math-worker.mjs
    // loads the TypeScript grader either way, including under vitest where there are none.
    const worker = new Worker(WORKER_URL, { resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb } });
    const slot = this.addSlot(worker);
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

  /** Only a thread that has loaded the grader (mathjs takes a moment) takes a job. */
  protected override idleSlot(): ThreadSlot | undefined {
    return [...this.slots].find((slot) => slot.ready && slot.running === null);
  }

  protected override dispatch(): void {
    super.dispatch();
    if (this.closed) return;
    // Start threads for the jobs still waiting, up to the pool's size.
    const starting = [...this.slots].filter((slot) => !slot.ready).length;
    for (let waiting = this.waiting - starting; waiting > 0 && this.slots.size < this.size; waiting--) this.spawn();
  }

  protected override hardStopMs(job: MathJob): number {
    return job.limits.hardStopMs;
  }

  /** Past the hard stop: the same verdict as a spent budget (no `errorType`), then a fresh thread. */
  protected override overrun(job: MathJob, execMs: number): MathEvaluation {
    return { ...outOfTime(job.limits.budgetMs), execMs };
  }

  protected override send(slot: ThreadSlot, id: number, { request, limits }: MathJob): void {
    const job: MathJobMessage = { type: "grade", id, request, budgetMs: limits.budgetMs };
    try {
      slot.sandbox.postMessage(job);
    } catch (error) {
      // A request that does not clone (not plain data): refuse it, keep the thread.
      this.complete(slot, (ticket) => ticket.reject(error));
    }
  }

  protected override kill(worker: Worker): Promise<number> {
    return worker.terminate();
  }

  private onMessage(slot: ThreadSlot, message: unknown): void {
    const reply = parseReply(message);
    if (reply?.type === "ready") {
      slot.ready = true;
      this.dispatch();
      return;
    }
    if (!slot.running || (reply !== null && reply.id !== slot.running.ticket.id)) return;
    this.complete(slot, (ticket) => {
      if (reply === null) ticket.reject(new AppError("INTERNAL", "The math checker returned an unreadable result"));
      else if (reply.type === "result") ticket.resolve(reply.evaluation);
      else ticket.reject(rebuild(reply.error));
    });
  }

  private onExit(slot: ThreadSlot): void {
    const wasInPool = this.exited(slot, (ticket, execMs) => {
      // Died mid-grade (its heap limit, most likely): not checked, like a spent budget.
      ticket.resolve({
        correct: false,
        feedback: "The answer could not be checked; simplify the expressions or use fewer steps.",
        execMs,
      });
    });
    if (!wasInPool || this.closed) return; // retired or closed: already settled (and replaced)
    if (slot.ready) {
      this.spawn();
      this.dispatch();
    } else if (this.slots.size === 0) {
      // No thread could start (a broken installation): fail what waits now rather than respawn in a loop.
      this.rejectQueued(new AppError("UNAVAILABLE", "The math checker could not start"));
    }
  }
}
