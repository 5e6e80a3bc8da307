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
import { MathPool } from "./math-pool.js";
import { PythonRunner } from "./python-runner.js";
import type { SandboxJob } from "./sandbox-outcome.js";

export interface LocalEvaluatorOptions {
  /** Python runs in a plain child process (not a security boundary): off unless enabled. */
  pythonEnabled: boolean;
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
  /** Address-space limit of a Python process (default 256 MiB). */
  pythonMemoryLimitMb?: number;
  /** The Python interpreter (default "python3"). */
  pythonCommand?: string;
  /** PATH for the Python child (its only environment variable). */
  childPath?: string;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
const MAX_TIMEOUT_MS = 10 * 60_000;

/**
 * The embedded Evaluator (§10): JavaScript in isolated-vm inside a pool of child processes,
 * Python in a child process per submission, math with mathjs behind an allow-list in a pool of
 * worker threads, within a wall-clock budget (`mathBudgetMs`) and a hard stop behind it, so
 * grading never runs on the API's event loop.
 * Both pools start on their first submission, or all at once on `warmUp()` (the server does
 * that after it starts listening; tests keep them lazy).
 */
export class LocalEvaluator implements Evaluator {
  private readonly options: Required<Omit<LocalEvaluatorOptions, "pythonCommand" | "childPath">> & { pythonCommand: string };
  private pool: JsPool | undefined;
  private math: MathPool | undefined;
  private readonly python: PythonRunner;
  private closed = false;

  constructor(options: LocalEvaluatorOptions) {
    this.options = {
      pythonEnabled: options.pythonEnabled,
      jsPoolSize: options.jsPoolSize ?? 2,
      perTestTimeoutMs: options.perTestTimeoutMs ?? 2000,
      memoryLimitMb: options.memoryLimitMb ?? 64,
      mathBudgetMs: options.mathBudgetMs ?? MATH_BUDGET_MS,
      mathPoolSize: options.mathPoolSize ?? options.jsPoolSize ?? 2,
      pythonMemoryLimitMb: options.pythonMemoryLimitMb ?? 256,
      pythonCommand: options.pythonCommand ?? "python3",
    };
    this.python = new PythonRunner({ command: this.options.pythonCommand, ...(options.childPath ? { path: options.childPath } : {}) });
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
      case "javascript": {
        this.pool ??= new JsPool({ size: this.options.jsPoolSize });
        return gradeRun(request, await this.pool.run({ ...job, memoryLimitMb: this.options.memoryLimitMb }, signal));
      }
      case "python": {
        if (!this.options.pythonEnabled) {
          throw new AppError("VALIDATION_ERROR", "Python evaluation is disabled on this server; submit JavaScript instead", {
            language: "python",
          });
        }
        return gradeRun(request, await this.python.run({ ...job, memoryLimitMb: this.options.pythonMemoryLimitMb }, signal));
      }
      default:
        throw AppError.validation(`Unsupported language "${String(request.language)}"`, [
          { path: "language", message: "Expected python or javascript" },
        ]);
    }
  }

  async evaluateMath(request: MathEvaluationRequest, signal?: AbortSignal): Promise<MathEvaluation> {
    this.assertOpen();
    signal?.throwIfAborted();
    this.math ??= new MathPool({ size: this.options.mathPoolSize });
    const budgetMs = this.options.mathBudgetMs;
    return this.math.run(request, { budgetMs, hardStopMs: budgetMs + MATH_KILL_MARGIN_MS }, signal);
  }

  /** Forks the JavaScript children and starts the math threads ahead of the first submission. */
  warmUp(): void {
    if (this.closed) return;
    this.pool ??= new JsPool({ size: this.options.jsPoolSize });
    this.math ??= new MathPool({ size: this.options.mathPoolSize });
    this.math.warmUp();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([this.pool?.close(), this.math?.close(), this.python.close()]);
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
