// A child process of the JavaScript pool: runs one submission at a time, each in a fresh
// isolated-vm isolate (a bare V8 context: no process, require, fetch or timers).
// Plain JavaScript so it starts under plain `node --no-node-snapshot`, no TypeScript loader.
// isolated-vm may abort this whole process on some memory bombs; the parent treats that
// as a memory error and forks a replacement.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const ivm = require("isolated-vm");

const MAX_MESSAGE_CHARS = 2000;
const MAX_RESULT_CHARS = 1 << 20;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

// Defined before user code runs, so the functions it captures are the pristine ones.
// Inputs go in as JSON text and results come out as JSON text: nothing crosses by reference.
// What a test throws is described here, inside the isolate and under the test's timeout: a
// thrown value copied out to the host would run its getters (or a Proxy's traps) with no limit.
const HARNESS = `(function () {
  const parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray;
  const P = Promise, E = Error, S = String;
  globalThis.module = { exports: {} };
  globalThis.exports = globalThis.module.exports;
  function describe(error) {
    try {
      if (error instanceof E || (typeof error === "object" && error !== null && "message" in error)) {
        const name = typeof error.name === "string" && error.name ? error.name : "Error";
        return name + ": " + S(error.message);
      }
      return "Uncaught " + (typeof error === "string" ? error : stringify(error));
    } catch {
      return "Uncaught exception";
    }
  }
  return function run(fn, argsJson) {
    try {
      const args = parse(argsJson);
      const value = fn(...(isArray(args) ? args : []));
      if (value instanceof P) throw new E("The function returned a Promise; return the value itself");
      const text = stringify({ v: value });
      if (text.length > ${MAX_RESULT_CHARS}) throw new E("The result is too large");
      return text;
    } catch (error) {
      return stringify({ e: describe(error) });
    }
  };
})()`;

/** How long past its budget a phase may run (isolated-vm's own timeout missed it) before the isolate is disposed. */
const KILL_GRACE_MS = 250;

/** A phase that overran its budget and had its isolate disposed. */
class BudgetOverrun extends Error {}

/**
 * Runs one phase (compiling, loading, a test) with a hard stop behind isolated-vm's timeout,
 * which does not cover everything: copying a thrown value out of the isolate runs its getters
 * with no limit. Past the budget the isolate is disposed, and the phase is a timeout.
 */
async function withinBudget(isolate, budgetMs, work) {
  let overran = false;
  const timer = setTimeout(() => {
    overran = true;
    if (!isolate.isDisposed) isolate.dispose();
  }, budgetMs + KILL_GRACE_MS);
  try {
    return await work();
  } catch (error) {
    throw overran ? new BudgetOverrun("Time limit exceeded") : error;
  } finally {
    clearTimeout(timer);
  }
}

const clip = (text) => (text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…`);

function describeError(error) {
  if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
    const name = typeof error.name === "string" && error.name ? error.name : "Error";
    return clip(`${name}: ${String(error.message)}`);
  }
  try {
    return clip(`Uncaught ${typeof error === "string" ? error : JSON.stringify(error)}`);
  } catch {
    return "Uncaught exception";
  }
}

const isTimeout = (error) => error instanceof Error && error.message === "Script execution timed out.";
const isMemory = (isolate, error) =>
  isolate.isDisposed || (error instanceof Error && /memory limit/i.test(error.message));

/** Why a run stopped, from an error thrown by isolated-vm or by the user's code. */
function stopReason(isolate, error, phase) {
  if (isTimeout(error) || error instanceof BudgetOverrun) return { end: "timeout", message: phase === "load" ? "Time limit exceeded while loading the code" : "Time limit exceeded" };
  if (isMemory(isolate, error)) return { end: "memory", message: "Memory limit exceeded" };
  return null;
}

/** Compiles the submission: a script, or an ES module when it uses `export`. Throws SyntaxError. */
async function compile(isolate, code) {
  try {
    return { kind: "script", script: await isolate.compileScript(code, { filename: "submission.js" }) };
  } catch (error) {
    if (!(error instanceof SyntaxError) || !/^\s*export\s/m.test(code)) throw error;
    // Written as a module: its own syntax errors are the ones worth reporting.
    return { kind: "module", module: await isolate.compileModule(code, { filename: "submission.mjs" }) };
  }
}

/** Runs the compiled submission's top level. */
async function load(context, compiled, timeout) {
  if (compiled.kind === "script") {
    await compiled.script.run(context, { timeout });
    return;
  }
  await compiled.module.instantiate(context, () => {
    throw new Error("imports are not available in the sandbox");
  });
  await compiled.module.evaluate({ timeout });
}

/** The entrypoint as a reference: a global binding, `module.exports`, or a module export. */
async function findEntrypoint(isolate, context, loaded, entrypoint) {
  if (loaded.kind === "module") {
    const ref = await loaded.module.namespace.get(entrypoint, { reference: true });
    return ref.typeof === "function" ? ref : null;
  }
  const lookup = await isolate.compileScript(`(function () {
    try { if (typeof ${entrypoint} === "function") return ${entrypoint}; } catch {}
    const m = globalThis.module && globalThis.module.exports;
    if (m && typeof m[${JSON.stringify(entrypoint)}] === "function") return m[${JSON.stringify(entrypoint)}];
    if (typeof m === "function") return m;
    return undefined;
  })()`);
  const ref = await lookup.run(context, { reference: true, timeout: 1000 });
  return ref.typeof === "function" ? ref : null;
}

async function runJob(job) {
  const started = performance.now();
  const deadline = started + job.totalTimeoutMs;
  const budget = () => Math.max(1, Math.ceil(Math.min(job.perTestTimeoutMs, deadline - performance.now())));
  const tests = [];
  const finish = (end, message) => ({ end, message, tests, execMs: Math.round(performance.now() - started) });

  if (!IDENTIFIER.test(job.entrypoint)) return finish("runtime", `Invalid entrypoint name "${job.entrypoint}"`);

  const isolate = new ivm.Isolate({ memoryLimit: job.memoryLimitMb });
  try {
    const context = await isolate.createContext();
    const harness = await (await isolate.compileScript(HARNESS)).run(context, { reference: true });

    let loaded;
    try {
      loaded = await withinBudget(isolate, budget(), () => compile(isolate, job.code));
    } catch (error) {
      const stop = stopReason(isolate, error, "load");
      return stop ? finish(stop.end, stop.message) : finish("compile", describeError(error));
    }
    try {
      const loadBudget = budget();
      await withinBudget(isolate, loadBudget, () => load(context, loaded, loadBudget));
    } catch (error) {
      const stop = stopReason(isolate, error, "load");
      return stop ? finish(stop.end, stop.message) : finish("runtime", describeError(error));
    }

    let entry;
    try {
      entry = await withinBudget(isolate, 1000, () => findEntrypoint(isolate, context, loaded, job.entrypoint));
    } catch (error) {
      const stop = stopReason(isolate, error, "load");
      if (stop) return finish(stop.end, stop.message);
      entry = null;
    }
    if (!entry) return finish("runtime", `The code does not define a function named "${job.entrypoint}"`);

    for (const input of job.inputs) {
      if (deadline - performance.now() <= 0) return finish("timeout", "Time limit exceeded");
      try {
        const testBudget = budget();
        const text = await withinBudget(isolate, testBudget, () =>
          harness.apply(undefined, [entry.derefInto(), JSON.stringify(input)], { timeout: testBudget }),
        );
        const parsed = JSON.parse(text);
        if (typeof parsed.e === "string") tests.push({ ok: false, message: clip(parsed.e) });
        else tests.push({ ok: true, actual: parsed.v === undefined ? null : parsed.v });
      } catch (error) {
        const stop = stopReason(isolate, error, "test");
        if (stop) return finish(stop.end, stop.message);
        tests.push({ ok: false, message: describeError(error) });
      }
    }
    return finish("ok");
  } catch (error) {
    const stop = stopReason(isolate, error, "load");
    return stop ? finish(stop.end, stop.message) : finish("runtime", describeError(error));
  } finally {
    if (!isolate.isDisposed) isolate.dispose();
  }
}

process.on("message", (message) => {
  if (!message || message.type !== "run") return;
  runJob(message.job).then(
    (outcome) => process.send?.({ type: "result", id: message.id, outcome }),
    (error) => process.send?.({ type: "result", id: message.id, outcome: { end: "runtime", message: describeError(error), tests: [], execMs: 0 } }),
  );
});
// The parent is gone: nothing more to serve.
process.on("disconnect", () => process.exit(0));
process.send?.({ type: "ready" });
