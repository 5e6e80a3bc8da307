import { afterAll, describe, expect, it } from "vitest";
import { LocalEvaluator } from "../../../server/src/adapters/evaluator/local/local-evaluator.js";
import { readFileSync } from "node:fs";
import { PythonPool } from "../../../server/src/adapters/evaluator/local/python-pool.js";
import { codeRequest } from "./helpers.js";

const SLOW = { timeout: 60_000 };
const python = (code: string, overrides: Parameters<typeof codeRequest>[0] = {}) =>
  codeRequest({ language: "python", code, ...overrides });

describe("local evaluator, Python", () => {
  const evaluator = new LocalEvaluator({ perTestTimeoutMs: 1000 });
  afterAll(() => evaluator.close());

  it("when every test passes, the result is passed", SLOW, async () => {
    const result = await evaluator.evaluateCode(python("def add(a, b):\n    return a + b\n"));
    expect(result.status).toBe("passed");
    expect(result.visible.details[0]).toEqual({ input: [1, 2], expected: 3, actual: 3, passed: true });
    expect(result.hidden).toEqual({ passed: 2, total: 2 });
  });

  it("when some tests fail, the result is failed with the actual values", SLOW, async () => {
    const result = await evaluator.evaluateCode(python("def add(a, b):\n    return a - b\n"));
    expect(result.status).toBe("failed");
    expect(result.visible.details[0]).toMatchObject({ actual: -1, passed: false });
    expect(result.hidden).toEqual({ passed: 1, total: 2 });
  });

  it("when a test raises, that test fails with the exception and the others still run", SLOW, async () => {
    const code = "def add(a, b):\n    if a < 0:\n        raise ValueError('negative')\n    return a + b\n";
    const result = await evaluator.evaluateCode(python(code));
    expect(result.status).toBe("failed");
    expect(result.visible.details[1]).toMatchObject({ passed: false, message: "ValueError: negative" });
    expect(result.hidden.passed).toBe(2);
  });

  it("when the function raises on every test, the result is a runtime error", SLOW, async () => {
    const result = await evaluator.evaluateCode(python("def add(a, b):\n    raise KeyError('k')\n"));
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("runtime");
    expect(result.error?.message).toMatch(/KeyError/);
    expect(result.hidden).toEqual({ passed: 0, total: 2 });
  });

  it("when the function returns tuples or prints, the result is read as JSON and prints are ignored", SLOW, async () => {
    const code = "def add(a, b):\n    print('debug', a, b)\n    return (a, b)\n";
    const result = await evaluator.evaluateCode(
      python(code, { visibleTests: [{ input: [1, 2], expected: [1, 2] }], hiddenTests: [] }),
    );
    expect(result.status).toBe("passed");
  });

  it("when the code has a syntax error, the result is a compile error", SLOW, async () => {
    const result = await evaluator.evaluateCode(python("def add(a, b)\n    return a + b\n"));
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("compile");
    expect(result.error?.message).toMatch(/SyntaxError.*line 1/);
  });

  it("when the code raises while loading, the result is a runtime error", SLOW, async () => {
    const result = await evaluator.evaluateCode(python("import does_not_exist_anywhere\n"));
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("runtime");
    expect(result.error?.message).toMatch(/ModuleNotFoundError/);
  });

  it("when the entrypoint is missing, the result is a runtime error", SLOW, async () => {
    const result = await evaluator.evaluateCode(python("def plus(a, b):\n    return a + b\n"));
    expect(result.error?.kind).toBe("runtime");
  });

  it("when code loops forever, the result is timeout", SLOW, async () => {
    const result = await evaluator.evaluateCode(python("def add(a, b):\n    while True:\n        pass\n", { timeoutMs: 3000 }));
    expect(result.status).toBe("timeout");
    expect(result.error?.kind).toBe("timeout");
  });

  it("when code swallows the interrupt and loops forever, its thread is terminated and the result is timeout", SLOW, async () => {
    const code = "def add(a, b):\n    while True:\n        try:\n            while True:\n                pass\n        except BaseException:\n            pass\n";
    const result = await evaluator.evaluateCode(python(code, { timeoutMs: 1000 }));
    expect(result.status).toBe("timeout");
  });

  it("when a result is a set, a dict with int keys or a non-finite float, it is read as JSON like before", SLOW, async () => {
    const code = "def add(a, b):\n    return [{3, 1, 2}, {1: 'x'}, float('inf')]\n";
    const result = await evaluator.evaluateCode(
      python(code, { visibleTests: [{ input: [1, 2], expected: [[1, 2, 3], { "1": "x" }, null] }], hiddenTests: [] }),
    );
    expect(result.status).toBe("passed");
  });

  it("when code allocates far more than the memory limit, the result is a memory error", SLOW, async () => {
    const result = await evaluator.evaluateCode(python("def add(a, b):\n    x = bytearray(10**9)\n    return 0\n"));
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("memory");
  });

  it("when code grows a list without bound, the result is a memory error", SLOW, async () => {
    const code = "def add(a, b):\n    xs = []\n    while True:\n        xs.append('x' * 1000)\n";
    const result = await evaluator.evaluateCode(python(code, { timeoutMs: 20_000 }));
    expect(["error", "timeout"]).toContain(result.status);
    if (result.status === "error") expect(result.error?.kind).toBe("memory");
  });
});

describe("local evaluator, Python process handling", () => {
  it("when the request is aborted, the sandbox process is killed and the evaluation rejects", SLOW, async () => {
    const evaluator = new LocalEvaluator({});
    try {
      const controller = new AbortController();
      const pending = evaluator.evaluateCode(python("def add(a, b):\n    while True:\n        pass\n", { timeoutMs: 20_000 }), controller.signal);
      setTimeout(() => controller.abort(new Error("client went away")), 200);
      await expect(pending).rejects.toThrow("client went away");
    } finally {
      await evaluator.close();
    }
  });
});

describe("Python pool processes", () => {
  it("when the pool starts, each process leads its own session with an empty environment, and close() ends it", SLOW, async () => {
    const pool = new PythonPool({ size: 1 });
    const [pid] = pool.pids;
    try {
      // Field 6 of /proc/<pid>/stat is the session id: a session leader's is its own pid.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      expect(Number(fields[3])).toBe(pid);
      // Only what Node sets for the IPC channel, and the malloc tuning: nothing of the server's.
      const names = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0").filter(Boolean).map((entry) => entry.split("=")[0]);
      expect(names.filter((name) => !name?.startsWith("NODE_CHANNEL_"))).toEqual(["MALLOC_ARENA_MAX"]);
    } finally {
      await pool.close();
    }
    expect(() => process.kill(pid!, 0)).toThrow();
  });
});
