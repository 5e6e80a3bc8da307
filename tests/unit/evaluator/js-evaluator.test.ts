import { afterAll, describe, expect, it } from "vitest";
import { JsPool } from "../../../server/src/adapters/evaluator/local/js-pool.js";
import { LocalEvaluator } from "../../../server/src/adapters/evaluator/local/local-evaluator.js";
import { AppError } from "../../../server/src/errors/app-error.js";
import { codeRequest } from "./helpers.js";

const SLOW = { timeout: 60_000 };

describe("local evaluator, JavaScript", () => {
  const evaluator = new LocalEvaluator({ perTestTimeoutMs: 1000 });
  afterAll(() => evaluator.close());

  it("when every test passes, the result is passed with visible details and hidden counts", SLOW, async () => {
    const result = await evaluator.evaluateCode(codeRequest());
    expect(result.status).toBe("passed");
    expect(result.visible).toEqual({
      passed: 2,
      total: 2,
      details: [
        { input: [1, 2], expected: 3, actual: 3, passed: true },
        { input: [-1, 1], expected: 0, actual: 0, passed: true },
      ],
    });
    expect(result.hidden).toEqual({ passed: 2, total: 2 });
    expect(result.error).toBeUndefined();
    expect(result.execMs).toBeGreaterThanOrEqual(0);
  });

  it("when some tests fail, the result is failed with the actual values", SLOW, async () => {
    const result = await evaluator.evaluateCode(codeRequest({ code: "function add(a, b) { return a > 0 ? a + b : 99; }" }));
    expect(result.status).toBe("failed");
    expect(result.visible.passed).toBe(1);
    expect(result.visible.details[1]).toMatchObject({ input: [-1, 1], expected: 0, actual: 99, passed: false });
    expect(result.hidden).toEqual({ passed: 1, total: 2 });
    expect(result.error).toBeUndefined();
  });

  it("when a test throws, that test fails with the message and the others still run", SLOW, async () => {
    const code = `function add(a, b) { if (a < 0) throw new RangeError("negative " + a); return a + b; }`;
    const result = await evaluator.evaluateCode(codeRequest({ code }));
    expect(result.status).toBe("failed");
    expect(result.visible.details[0]).toMatchObject({ passed: true, actual: 3 });
    expect(result.visible.details[1]).toMatchObject({ passed: false, actual: null, message: "RangeError: negative -1" });
    expect(result.hidden).toEqual({ passed: 2, total: 2 });
  });

  it("when the code throws on every test, the result is a runtime error, not wrong logic", SLOW, async () => {
    const result = await evaluator.evaluateCode(codeRequest({ code: `function add(a, b) { throw new TypeError("no " + a); }` }));
    expect(result.status).toBe("error");
    expect(result.error).toEqual({ kind: "runtime", message: "TypeError: no 1" });
    expect(result.visible.details[1]).toMatchObject({ passed: false, actual: null, message: "TypeError: no -1" });
    expect(result.hidden).toEqual({ passed: 0, total: 2 });
  });

  it("when the code throws on some tests and returns wrong values on the others, it is failed, not an error", SLOW, async () => {
    const code = `function add(a, b) { if (a < 0) throw new RangeError("negative"); return 42; }`;
    const result = await evaluator.evaluateCode(codeRequest({ code }));
    expect(result.status).toBe("failed");
    expect(result.error).toBeUndefined();
    expect(result.hidden).toEqual({ passed: 0, total: 2 });
  });

  it("when the results are compared as unordered or float, the problem's mode applies", SLOW, async () => {
    const unordered = await evaluator.evaluateCode(
      codeRequest({
        code: "function add(a, b) { return [b, a]; }",
        compare: "unordered",
        visibleTests: [{ input: [1, 2], expected: [1, 2] }],
        hiddenTests: [],
      }),
    );
    expect(unordered.status).toBe("passed");
    const float = await evaluator.evaluateCode(
      codeRequest({ code: "function add(a, b) { return a + b; }", compare: "float", visibleTests: [{ input: [0.1, 0.2], expected: 0.3 }], hiddenTests: [] }),
    );
    expect(float.status).toBe("passed");
  });

  it("when the code has a syntax error, the result is a compile error", SLOW, async () => {
    const result = await evaluator.evaluateCode(codeRequest({ code: "function add(a, b) { return a + ; }" }));
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("compile");
    expect(result.error?.message).toMatch(/SyntaxError/);
    expect(result.visible.passed).toBe(0);
    expect(result.visible.details).toHaveLength(2);
    expect(result.hidden).toEqual({ passed: 0, total: 2 });
  });

  it("when the code throws while loading, the result is a runtime error", SLOW, async () => {
    const result = await evaluator.evaluateCode(codeRequest({ code: "throw new SyntaxError('made up'); function add() {}" }));
    expect(result.status).toBe("error");
    expect(result.error).toEqual({ kind: "runtime", message: "SyntaxError: made up" });
  });

  it("when the entrypoint is missing, the result is a runtime error naming it", SLOW, async () => {
    const result = await evaluator.evaluateCode(codeRequest({ code: "function sum(a, b) { return a + b; }" }));
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("runtime");
    expect(result.error?.message).toContain('"add"');
  });

  it("when the entrypoint is an arrow function, module.exports or an ES export, it is found", SLOW, async () => {
    for (const code of [
      "const add = (a, b) => a + b;",
      "module.exports = { add: (a, b) => a + b };",
      "export function add(a, b) { return a + b; }",
    ]) {
      const result = await evaluator.evaluateCode(codeRequest({ code }));
      expect(result.status, code).toBe("passed");
    }
  });

  it("when user code looks for host capabilities, it finds none", SLOW, async () => {
    const code = `function probe() {
      return [typeof process, typeof require, typeof fetch, typeof setTimeout, typeof setInterval];
    }`;
    const result = await evaluator.evaluateCode(
      codeRequest({ code, entrypoint: "probe", visibleTests: [{ input: [], expected: null }], hiddenTests: [] }),
    );
    expect(result.visible.details[0]?.actual).toEqual(["undefined", "undefined", "undefined", "undefined", "undefined"]);
  });

  it("when code loops forever, the result is timeout", SLOW, async () => {
    const result = await evaluator.evaluateCode(codeRequest({ code: "function add(a, b) { for (;;) {} }", timeoutMs: 3000 }));
    expect(result.status).toBe("timeout");
    expect(result.error?.kind).toBe("timeout");
    expect(result.visible.passed).toBe(0);
  });

  it("when the thrown value has looping getters, the test still ends within its budget", SLOW, async () => {
    for (const code of [
      "function add() { throw { get message() { for (;;) {} }, get name() { for (;;) {} } }; }",
      "function add() { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { for (;;) {} } }); throw e; }",
      "function add() { throw new Proxy({}, { get() { for (;;) {} }, has() { for (;;) {} }, getPrototypeOf() { for (;;) {} } }); }",
      "throw { get message() { for (;;) {} } }; function add() {}",
    ]) {
      const started = performance.now();
      const result = await evaluator.evaluateCode(codeRequest({ code, timeoutMs: 10_000 }));
      const elapsed = performance.now() - started;
      expect(result.status, code).toBe("timeout");
      // The per-test budget here is 1 s; the pool's own kill would only come at 12 s.
      expect(elapsed, code).toBeLessThan(2500);
    }
  });

  it("when a test throws an odd value, its message is read inside the sandbox", SLOW, async () => {
    const code = "function add(a) { if (a < 0) throw { name: 'Custom', message: 'bad' }; throw 'plain'; }";
    const result = await evaluator.evaluateCode(codeRequest({ code }));
    expect(result.visible.details[0]?.message).toBe("Uncaught plain");
    expect(result.visible.details[1]?.message).toBe("Custom: bad");
  });

  it("when code loops forever at load time, the result is timeout", SLOW, async () => {
    const result = await evaluator.evaluateCode(codeRequest({ code: "while (true) {} function add() {}", timeoutMs: 3000 }));
    expect(result.status).toBe("timeout");
  });

  it("when a submission grows a Map without bound, the result is an error or timeout and the pool then answers a correct submission", SLOW, async () => {
    const bomb = `function add(a, b) { const m = new Map(); for (let i = 0;; i++) m.set(i, "x".repeat(100)); }`;
    const result = await evaluator.evaluateCode(codeRequest({ code: bomb, timeoutMs: 20_000 }));
    expect(["error", "timeout"]).toContain(result.status);
    if (result.status === "error") expect(result.error?.kind).toBe("memory");
    const after = await evaluator.evaluateCode(codeRequest());
    expect(after.status).toBe("passed");
  });

  it("when a submission grows a Map at load time, the pool survives and serves the next submission", SLOW, async () => {
    const bomb = `const m = new Map(); for (let i = 0;; i++) m.set("k" + i, i); function add() {}`;
    const result = await evaluator.evaluateCode(codeRequest({ code: bomb, timeoutMs: 20_000 }));
    expect(["error", "timeout"]).toContain(result.status);
    expect((await evaluator.evaluateCode(codeRequest())).status).toBe("passed");
  });

  it("when a submission allocates a huge array, the result is a memory error", SLOW, async () => {
    const bomb = `function add() { const a = []; for (;;) a.push(new Array(100000).fill(1)); }`;
    const result = await evaluator.evaluateCode(codeRequest({ code: bomb, timeoutMs: 20_000 }));
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("memory");
  });

  it("when more submissions arrive than there are children, they queue and all complete", SLOW, async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => evaluator.evaluateCode(codeRequest())));
    expect(results.map((result) => result.status)).toEqual(Array(6).fill("passed"));
  });

  it("when the result is not JSON-friendly, it is read through JSON", SLOW, async () => {
    const result = await evaluator.evaluateCode(
      codeRequest({
        code: "function add() { return undefined; }",
        visibleTests: [{ input: [], expected: null }],
        hiddenTests: [],
      }),
    );
    expect(result.visible.details[0]).toMatchObject({ actual: null, passed: true });
  });

  it("when the request is aborted, the evaluation rejects with the abort reason", SLOW, async () => {
    const controller = new AbortController();
    const pending = evaluator.evaluateCode(codeRequest({ code: "function add() { for (;;) {} }", timeoutMs: 20_000 }), controller.signal);
    setTimeout(() => controller.abort(new Error("client went away")), 200);
    await expect(pending).rejects.toThrow("client went away");
    expect((await evaluator.evaluateCode(codeRequest())).status).toBe("passed");
  });

  it("when the entrypoint name is not an identifier, the request is refused", async () => {
    await expect(evaluator.evaluateCode(codeRequest({ entrypoint: "add; process.exit()" }))).rejects.toBeInstanceOf(AppError);
  });
});

/** The pid of the pool's busy child, once the job has been handed to it. */
async function busyPid(pool: JsPool): Promise<number> {
  for (let i = 0; i < 400; i++) {
    const pid = pool.busyPids[0];
    if (pid !== undefined) return pid;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("no child became busy");
}

describe("local evaluator lifecycle", () => {
  it("when the evaluator is closed, its children are gone and new work is refused", SLOW, async () => {
    const evaluator = new LocalEvaluator({ jsPoolSize: 1 });
    expect((await evaluator.evaluateCode(codeRequest())).status).toBe("passed");
    await evaluator.close();
    await expect(evaluator.evaluateCode(codeRequest())).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});

describe("JavaScript pool", () => {
  it("when a child dies by a signal during a job, the job is a memory error and the pool keeps serving", SLOW, async () => {
    const pool = new JsPool({ size: 1 });
    try {
      const job = { entrypoint: "f", inputs: [[]], perTestTimeoutMs: 20_000, totalTimeoutMs: 20_000, memoryLimitMb: 64 };
      const running = pool.run({ ...job, code: "function f() { for (;;) {} }" });
      const pid = await busyPid(pool);
      await new Promise((resolve) => setTimeout(resolve, 200));
      process.kill(pid, "SIGABRT");
      const outcome = await running;
      expect(outcome.end).toBe("memory");
      const next = await pool.run({ ...job, code: "function f() { return 42; }", perTestTimeoutMs: 2000, totalTimeoutMs: 5000 });
      expect(next).toMatchObject({ end: "ok", tests: [{ ok: true, actual: 42 }] });
      expect(pool.pids).toHaveLength(1);
      expect(pool.pids[0]).not.toBe(pid);
    } finally {
      await pool.close();
    }
  });

  it("when a child overruns the wall-clock budget, it is killed and the job times out", SLOW, async () => {
    const pool = new JsPool({ size: 1, killMarginMs: 200 });
    try {
      const running = pool.run({
        code: "function f() { for (;;) {} }",
        entrypoint: "f",
        inputs: [[]],
        perTestTimeoutMs: 4000,
        totalTimeoutMs: 4000,
        memoryLimitMb: 64,
      });
      const pid = await busyPid(pool);
      // A stopped child cannot answer, not even with its own timeout: only the parent's kill ends the job.
      process.kill(pid, "SIGSTOP");
      const outcome = await running;
      expect(outcome.end).toBe("timeout");
      const next = await pool.run({ code: "const f = () => 1;", entrypoint: "f", inputs: [[]], perTestTimeoutMs: 2000, totalTimeoutMs: 5000, memoryLimitMb: 64 });
      expect(next.end).toBe("ok");
      expect(pool.pids).not.toContain(pid);
    } finally {
      await pool.close();
    }
  });

  it("when the pool is closed, queued work is refused", SLOW, async () => {
    const pool = new JsPool({ size: 1 });
    await pool.close();
    await expect(
      pool.run({ code: "const f = () => 1;", entrypoint: "f", inputs: [[]], perTestTimeoutMs: 1000, totalTimeoutMs: 1000, memoryLimitMb: 64 }),
    ).rejects.toBeInstanceOf(AppError);
  });
});
