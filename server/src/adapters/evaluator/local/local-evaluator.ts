import { AppError } from "../../../errors/app-error.js";
import type {
  CodeEvaluation,
  CodeEvaluationRequest,
  Evaluator,
  MathEvaluation,
  MathEvaluationRequest,
} from "../../../ports/evaluator.js";
import { gradeRun } from "./grade.js";
import { JsPool } from "./js-pool.js";
import { MATH_BUDGET_MS, MATH_KILL_MARGIN_MS } from "./math-budget.js";
import { FairQueue } from "./fair-queue.js";
import { MathPool } from "./math-pool.js";
import { PythonPool } from "./python-pool.js";
import type { SandboxJob } from "./sandbox-outcome.js";

export interface LocalEvaluatorOptions {
  /** JavaScript child processes (default 2). */
  jsPoolSize?: number;
  /** Time limit of one test, and of loading the code (default 2000 ms; never above the request's total). */
  perTestTimeoutMs?: number;
  /** Heap limit of a JavaScript isolate (default 64 MiB). */
  memoryLimitMb?: number;
  /** Wall-clock budget of one math grading (default 2000 ms); its worker is terminated `MATH_KILL_MARGIN_MS` later. */
  mathBudgetMs?: number;
  /** Math worker threads (default: `jsPoolSize`, i.e. CO_EVAL_POOL_SIZE). */
  mathPoolSize?: number;
  /** Python sandbox processes (default: `jsPoolSize`, i.e. CO_EVAL_POOL_SIZE). */
  pythonPoolSize?: number;
  /** Memory cap of a Python interpreter (default 256 MiB). */
  pythonMemoryLimitMb?: number;
  /** Evaluations of one user running at once, over all sandboxes (default 1); more wait. */
  maxPerUser?: number;
  /** Code evaluations that may wait for a sandbox (default 32); more are refused with UNAVAILABLE. */
  queueLimit?: number;
  /** Math checks that may wait for a thread, in a room of their own (default 256). */
  mathQueueLimit?: number;
  /** The `retry_after` (seconds) of that refusal (default 5). */
  retryAfterSeconds?: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const MAX_TIMEOUT_MS = 10 * 60_000;

/**
 * The embedded Evaluator (§10): JavaScript in isolated-vm inside a pool of child processes,
 * Python in Pyodide (a fresh interpreter per submission) inside a pool of locked-down child
 * processes, math with mathjs behind an allow-list in a pool of
 * worker threads, within a wall-clock budget (`mathBudgetMs`) and a hard stop behind it, so
 * grading never runs on the API's event loop.
 * Both pools start on their first submission, or all at once on `warmUp()` (the server does
 * that after it starts listening; tests keep them lazy).
 */
export class LocalEvaluator implements Evaluator {
  private readonly options: Required<LocalEvaluatorOptions>;
  private pool: JsPool | undefined;
  private math: MathPool | undefined;
  private python: PythonPool | undefined;
  private readonly queue: FairQueue;
  private closed = false;

  constructor(options: LocalEvaluatorOptions) {
    this.options = {
      jsPoolSize: options.jsPoolSize ?? 2,
      perTestTimeoutMs: options.perTestTimeoutMs ?? 2000,
      memoryLimitMb: options.memoryLimitMb ?? 64,
      mathBudgetMs: options.mathBudgetMs ?? MATH_BUDGET_MS,
      mathPoolSize: options.mathPoolSize ?? options.jsPoolSize ?? 2,
      pythonPoolSize: options.pythonPoolSize ?? options.jsPoolSize ?? 2,
      pythonMemoryLimitMb: options.pythonMemoryLimitMb ?? 256,
      maxPerUser: options.maxPerUser ?? 1,
      queueLimit: options.queueLimit ?? 32,
      mathQueueLimit: options.mathQueueLimit ?? 256,
      retryAfterSeconds: options.retryAfterSeconds ?? 5,
    };
    this.queue = new FairQueue({
      capacity: { javascript: this.options.jsPoolSize, python: this.options.pythonPoolSize, math: this.options.mathPoolSize },
      perOwner: this.options.maxPerUser,
      maxWaiting: this.options.queueLimit,
      rooms: { math: this.options.mathQueueLimit },
      retryAfterSeconds: this.options.retryAfterSeconds,
    });
  }

  async evaluateCode(request: CodeEvaluationRequest, signal?: AbortSignal): Promise<CodeEvaluation> {
    this.assertOpen();
    signal?.throwIfAborted();
    validate(request);
    const tests = [...request.visibleTests, ...request.hiddenTests];
    const job: Omit<SandboxJob, "memoryLimitMb"> = {
      code: request.code,
      entrypoint: request.entrypoint,
      inputs: tests.map((test) => test.input),
      perTestTimeoutMs: Math.min(this.options.perTestTimeoutMs, request.timeoutMs),
      totalTimeoutMs: request.timeoutMs,
    };
    switch (request.language) {
      case "javascript":
        return this.queue.run("javascript", request.userId, async () => {
          this.pool ??= new JsPool({ size: this.options.jsPoolSize });
          return gradeRun(request, await this.pool.run({ ...job, memoryLimitMb: this.options.memoryLimitMb }, signal));
        }, signal);
      case "python":
        return this.queue.run("python", request.userId, async () => {
          this.python ??= new PythonPool({ size: this.options.pythonPoolSize });
          return gradeRun(request, await this.python.run({ ...job, memoryLimitMb: this.options.pythonMemoryLimitMb }, signal));
        }, signal);
      default:
        throw AppError.validation(`Unsupported language "${String(request.language)}"`, [
          { path: "language", message: "Expected python or javascript" },
        ]);
    }
  }

  async evaluateMath(request: MathEvaluationRequest, signal?: AbortSignal): Promise<MathEvaluation> {
    this.assertOpen();
    signal?.throwIfAborted();
    const budgetMs = this.options.mathBudgetMs;
    return this.queue.run("math", request.userId, () => {
      this.math ??= new MathPool({ size: this.options.mathPoolSize });
      return this.math.run(request, { budgetMs, hardStopMs: budgetMs + MATH_KILL_MARGIN_MS }, signal);
    }, signal);
  }

  /** Forks the JavaScript and Python children and starts the math threads ahead of the first submission. */
  warmUp(): void {
    if (this.closed) return;
    this.pool ??= new JsPool({ size: this.options.jsPoolSize });
    this.python ??= new PythonPool({ size: this.options.pythonPoolSize });
    this.math ??= new MathPool({ size: this.options.mathPoolSize });
    this.math.warmUp();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.queue.close();
    await Promise.all([this.pool?.close(), this.math?.close(), this.python?.close()]);
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError("UNAVAILABLE", "The evaluator is shutting down");
  }
}

function validate(request: CodeEvaluationRequest): void {
  const issues: { path: string; message: string }[] = [];
  if (!IDENTIFIER.test(request.entrypoint)) issues.push({ path: "entrypoint", message: "Must be a function name" });
  if (!Number.isFinite(request.timeoutMs) || request.timeoutMs <= 0 || request.timeoutMs > MAX_TIMEOUT_MS) {
    issues.push({ path: "timeoutMs", message: `Must be between 1 and ${MAX_TIMEOUT_MS} ms` });
  }
  if (typeof request.code !== "string") issues.push({ path: "code", message: "Must be a string" });
  for (const [name, tests] of [["visibleTests", request.visibleTests], ["hiddenTests", request.hiddenTests]] as const) {
    if (!Array.isArray(tests) || tests.some((test) => !Array.isArray(test?.input))) {
      issues.push({ path: name, message: "Each test needs an input array" });
    }
  }
  if (issues.length > 0) throw AppError.validation("Invalid evaluation request", issues);
}
