// A Python sandbox process of the pool, started by python-pool.ts with nothing of the server's
// in its environment, in its own session, under Node's permission model (reads of Pyodide and these files only, no
// writes, no child processes, no addons) and without code generation from strings.
// It runs one submission at a time, each in a fresh interpreter thread (python-interpreter.mjs)
// started from a memory snapshot; the next thread loads while the current one runs.
// Per phase (loading, each test) it interrupts Python at the budget and terminates the thread
// a moment later if the code swallowed the interrupt. The pool kills the whole process at its
// own hard stop behind that.
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { lockDown } from "./python-lockdown.mjs";

lockDown();

const [pyodideUrl, indexPath] = process.argv.slice(2);
const INTERPRETER_URL = new URL("./python-interpreter.mjs", import.meta.url);
const harness = readFileSync(new URL("./python_harness.py", import.meta.url), "utf8");
/** How long code may ignore the interrupt at its budget before its thread is terminated. */
const KILL_GRACE_MS = 500;
const SIGINT = 2;
const MIB = 1024 * 1024;
/** The interpreter thread's JavaScript heap; Python's own memory is capped inside the thread. */
const THREAD_HEAP_MB = 256;

let snapshot;
/** The next interpreter, loading or ready: { worker, ready: Promise<boolean> }. */
let spare;

function startInterpreter() {
  const interrupt = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(INTERPRETER_URL, {
    workerData: { pyodideUrl, indexPath, snapshot, interrupt },
    resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
    stdout: true,
    stderr: true,
  });
  worker.on("error", () => {
    // A thread that dies (its heap limit, a failed load) reports through "exit".
  });
  const ready = new Promise((resolve) => {
    worker.on("message", (message) => {
      if (message?.type === "ready") resolve(true);
    });
    worker.once("exit", () => resolve(false));
  });
  return { worker, interrupt, ready };
}

function makeSnapshot() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(INTERPRETER_URL, { workerData: { pyodideUrl, indexPath, harness }, stdout: true, stderr: true });
    worker.on("error", reject);
    worker.once("message", (message) => {
      // Shared memory: each interpreter thread reads the same bytes instead of a 30 MB copy.
      const shared = new Uint8Array(new SharedArrayBuffer(message.snapshot.byteLength));
      shared.set(message.snapshot);
      resolve(shared);
      void worker.terminate();
    });
    worker.once("exit", () => reject(new Error("The Python interpreter could not start")));
  });
}

/** Runs one job in one fresh interpreter; resolves with the run's outcome. */
function runJob(interpreter, job) {
  const { worker, interrupt } = interpreter;
  const tests = [];
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const rssLimit = process.memoryUsage.rss() + (job.memoryLimitMb * 2 + 256) * MIB;
  return new Promise((resolve) => {
    let interruptTimer;
    let killTimer;
    let settled = false;
    const clearPhase = () => {
      clearTimeout(interruptTimer);
      clearTimeout(killTimer);
    };
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearPhase();
      clearInterval(watchdog);
      void worker.terminate();
      resolve(outcome);
    };
    const stop = (end, message) => finish({ end, message, tests, execMs: elapsed() });
    // A backstop behind the interpreter's own memory cap: the whole process's resident size.
    const watchdog = setInterval(() => {
      if (process.memoryUsage.rss() > rssLimit) stop("memory", "Memory limit exceeded");
    }, 100);
    worker.on("message", (message) => {
      switch (message?.type) {
        case "begin":
          clearPhase();
          interruptTimer = setTimeout(() => Atomics.store(interrupt, 0, SIGINT), message.budgetMs);
          killTimer = setTimeout(() => stop("timeout", "Time limit exceeded"), message.budgetMs + KILL_GRACE_MS);
          break;
        case "end":
          clearPhase();
          break;
        case "test":
          tests.push(message.run);
          break;
        case "done":
          finish({ end: message.end, message: message.message, tests, execMs: message.execMs });
          break;
      }
    });
    worker.once("exit", () => stop("memory", "Memory limit exceeded"));
    worker.postMessage({ type: "run", job });
  });
}

let queue = Promise.resolve();

process.on("message", (message) => {
  if (message?.type !== "run") return;
  // One job at a time (the pool sends one), in order.
  queue = queue.then(async () => {
    const interpreter = spare ?? startInterpreter();
    // The next submission's interpreter loads (about 0.3 s) while this one runs.
    spare = startInterpreter();
    const outcome = (await interpreter.ready)
      ? await runJob(interpreter, message.job)
      : { end: "runtime", message: "The Python sandbox could not start", tests: [], execMs: 0 };
    process.send?.({ type: "result", id: message.id, outcome });
    // Ready again once the next interpreter is: the pool meanwhile prefers a process that is.
    if (await spare.ready) process.send?.({ type: "ready" });
    else process.exit(1);
  });
});
process.on("disconnect", () => process.exit(0));

try {
  snapshot = await makeSnapshot();
  spare = startInterpreter();
  if (await spare.ready) process.send?.({ type: "ready" });
  else process.exit(1);
} catch {
  process.exit(1);
}
