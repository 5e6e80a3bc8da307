// A thread of a Python sandbox process: one fresh Pyodide interpreter for one submission.
// Started from a memory snapshot that already holds the harness (about 0.35 s instead of
// 1.5 s for a cold start), it says "ready", runs exactly one job and is then terminated by its
// host, so no state of one submission reaches the next. The first thread of a process only
// makes that snapshot. Plain JavaScript, so it needs no TypeScript loader in the locked-down process.
import { parentPort, workerData } from "node:worker_threads";
import { lockDown } from "./python-lockdown.mjs";

lockDown();

const MIB = 1024 * 1024;
// Raised until the job names its limit: loading the snapshot itself needs room.
let memoryCapBytes = 1024 * MIB;

// Pyodide grows its WebAssembly memory through Memory#grow; refusing past the cap makes
// malloc fail, which Python reports as MemoryError.
const grow = WebAssembly.Memory.prototype.grow;
WebAssembly.Memory.prototype.grow = function (pages) {
  if (this.buffer.byteLength + pages * 65536 > memoryCapBytes) throw new RangeError("Memory limit exceeded");
  return grow.call(this, pages);
};

const { loadPyodide } = await import(workerData.pyodideUrl);
const silent = () => {};
const options = {
  indexURL: workerData.indexPath,
  env: { HOME: "/home/pyodide" },
  jsglobals: Object.create(null),
  stdin: () => null,
  stdout: silent,
  stderr: silent,
};

const send = (message) => parentPort.postMessage(message);

if (!workerData.snapshot) {
  // The harness is defined before the snapshot is taken, so every interpreter starts with it.
  const pyodide = await loadPyodide({ ...options, _makeSnapshot: true });
  pyodide.runPython(workerData.harness);
  const snapshot = pyodide.makeMemorySnapshot();
  send({ type: "snapshot", snapshot });
} else {
  const pyodide = await loadPyodide({ ...options, _loadSnapshot: workerData.snapshot });
  pyodide.setInterruptBuffer(workerData.interrupt);
  const load = pyodide.globals.get("_co_load");
  const call = pyodide.globals.get("_co_call");
  send({ type: "ready" });
  parentPort.once("message", (message) => {
    if (message?.type === "run") run(message.job, load, call);
  });
}

const STOPPED = { timeout: "Time limit exceeded", memory: "Memory limit exceeded" };

function run(job, load, call) {
  memoryCapBytes = job.memoryLimitMb * MIB;
  const started = performance.now();
  const deadline = started + job.totalTimeoutMs;
  const budget = () => Math.max(1, Math.ceil(Math.min(job.perTestTimeoutMs, deadline - performance.now())));
  const done = (end, message) => send({ type: "done", end, message, execMs: Math.round(performance.now() - started) });
  // Each phase (loading, then one test at a time) is announced, so the host can interrupt it
  // at its budget and terminate this thread a moment later if the code ignores that.
  const phase = (work) => {
    Atomics.store(workerData.interrupt, 0, 0);
    send({ type: "begin", budgetMs: budget() });
    try {
      return JSON.parse(work());
    } finally {
      send({ type: "end" });
    }
  };
  try {
    const loaded = phase(() => load(job.code, job.entrypoint));
    if (loaded.end !== "ok") return done(loaded.end, loaded.message);
    for (const input of job.inputs) {
      if (deadline - performance.now() <= 0) return done("timeout", STOPPED.timeout);
      const result = phase(() => call(JSON.stringify(input)));
      if (result.stop) return done(result.stop, STOPPED[result.stop] ?? "The code failed");
      send({ type: "test", run: result.ok ? { ok: true, actual: result.actual ?? null } : { ok: false, message: String(result.message) } });
    }
    return done("ok");
  } catch (error) {
    // The interpreter itself failed (its memory, its stack): this instance is finished anyway.
    const text = String(error?.message ?? error);
    if (/memory|OOM/i.test(text)) return done("memory", STOPPED.memory);
    if (/KeyboardInterrupt/.test(text)) return done("timeout", STOPPED.timeout);
    return done("runtime", "The Python interpreter failed while running the code");
  }
}
