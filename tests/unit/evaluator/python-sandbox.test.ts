import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEvaluator } from "../../../server/src/adapters/evaluator/local/index.js";
import type { CodeEvaluationRequest } from "../../../server/src/ports/evaluator.js";

const SLOW = { timeout: 60_000 };
// A secret the API process holds: the sandbox must never see it.
const SECRET = `sandbox-test-secret-${process.pid}-${Date.now()}`;
process.env.CO_JWT_SECRET_PROBE = SECRET;

/** One visible test calling `probe(*input)`; the caller reads what it returned. */
const probe = (code: string, input: unknown[] = []): CodeEvaluationRequest => ({
  problemId: "probe",
  language: "python",
  code,
  entrypoint: "probe",
  visibleTests: [{ input, expected: null }],
  hiddenTests: [],
  compare: "exact",
  timeoutMs: 10_000,
});

const evaluator = new LocalEvaluator({ pythonPoolSize: 1, perTestTimeoutMs: 2000 });
const scratch = mkdtempSync(join(tmpdir(), "co-python-sandbox-"));
let server: Server;
let port = 0;
let connections = 0;

beforeAll(async () => {
  // Anything that really connects is greeted, so a sandbox that got through would read "pong".
  server = createServer((socket) => {
    connections++;
    socket.end("pong");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await evaluator.close();
  await new Promise((resolve) => server.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
});

async function actual(request: CodeEvaluationRequest): Promise<unknown> {
  const result = await evaluator.evaluateCode(request);
  expect(result.error?.message ?? "", "the probe itself ran").toBe("");
  return result.visible.details[0]!.actual;
}

describe("the Python sandbox and the server's secrets", () => {
  it("when Python reads /proc/<the API's pid>/environ, its own environ and os.environ, no secret comes back", SLOW, async () => {
    const code = `import os
def probe(pid):
    found = {"environ": dict(os.environ)}
    for path in ["/proc/%d/environ" % pid, "/proc/self/environ", "/proc/%d/environ" % os.getppid(), "/proc/1/environ"]:
        try:
            found[path] = open(path, "rb").read().decode("latin-1")
        except OSError as error:
            found[path] = type(error).__name__
    return found
`;
    const found = (await actual(probe(code, [process.pid]))) as Record<string, unknown>;
    expect(JSON.stringify(found)).not.toContain(SECRET);
    expect(JSON.stringify(found)).not.toContain("CO_");
    expect(found[`/proc/${process.pid}/environ`]).toBe("FileNotFoundError");
    // What is there is the WebAssembly runtime's own made-up environment.
    expect(found.environ).toMatchObject({ USER: "web_user", PATH: "/", HOME: "/home/pyodide" });
  });

  it("when Python looks for Pyodide's bridge to JavaScript (import js, the import hook's proxies), it is gone", SLOW, async () => {
    const code = `import gc
def probe():
    out = {}
    try:
        import js
        out["import js"] = "imported"
    except ImportError as error:
        out["import js"] = type(error).__name__
    finder = next((o for o in gc.get_objects() if type(o).__name__ == "JsFinder"), None)
    out["bridge left"] = sorted(getattr(finder, "jsproxies", {}).keys()) if finder else []
    return out
`;
    const found = (await actual(probe(code))) as Record<string, unknown>;
    expect(found["import js"]).toBe("ModuleNotFoundError");
    expect(found["bridge left"]).toEqual([]);
  });
});

describe("the Python sandbox and the machine", () => {
  it("when Python forks, calls setsid, or starts a process that would write a file later, nothing runs outside", SLOW, async () => {
    const marker = join(scratch, "grandchild-was-here");
    const code = `import os, subprocess
def probe(marker):
    out = []
    for label, attempt in [
        ("fork", lambda: os.fork()),
        ("setsid+fork", lambda: (os.setsid(), os.fork())),
        ("popen", lambda: subprocess.Popen(["sh", "-c", "sleep 2; touch " + marker])),
    ]:
        try:
            attempt()
            out.append(label + ": ran")
        except OSError as error:
            out.append(label + ": " + type(error).__name__)
    return out
`;
    const found = (await actual(probe(code, [marker]))) as string[];
    expect(found.filter((line) => line.endsWith(": ran"))).toEqual([]);
    // os.system reaches the runtime's spawnSync, which the permission model refuses: the run fails.
    const system = await evaluator.evaluateCode(probe("import os\ndef probe(marker):\n    return os.system('touch ' + marker)\n", [marker]));
    expect(system.status).toBe("error");
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(existsSync(marker)).toBe(false);
  });

  it("when Python opens a socket or an HTTP connection to a server on loopback, nothing connects", SLOW, async () => {
    const code = `import socket, urllib.request
def probe(port):
    out = []
    try:
        # The runtime's socket layer may say "connected" without any real socket behind it.
        sock = socket.create_connection(("127.0.0.1", port), timeout=1)
        out.append("socket read: " + sock.recv(16).decode())
    except OSError as error:
        out.append("socket: " + type(error).__name__)
    try:
        out.append("http read: " + urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=1).read().decode())
    except Exception as error:
        out.append("http: " + type(error).__name__)
    return out
`;
    const before = connections;
    const found = (await actual(probe(code, [port]))) as string[];
    expect(found.join()).not.toContain("pong");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(connections).toBe(before);
  });

  it("when Python writes a file outside, it lands in the interpreter's own memory, never on disk", SLOW, async () => {
    const target = join(scratch, "written-by-python");
    const code = `def probe(path):
    with open(path, "w") as handle:
        handle.write("escaped")
    try:
        open("/etc/passwd").read()
        return "read /etc/passwd"
    except OSError as error:
        return type(error).__name__
`;
    // The write itself succeeds (a virtual file system), so the directory must exist there too.
    const result = await evaluator.evaluateCode(probe(code.replace("def probe(path):", "import os\ndef probe(path):\n    os.makedirs(os.path.dirname(path), exist_ok=True)"), [target]));
    expect(result.visible.details[0]!.actual).toBe("FileNotFoundError");
    expect(existsSync(target)).toBe(false);
  });

  it("when the sandbox process's own JavaScript tries files, processes and the network, the permission model and the lockdown refuse", SLOW, async () => {
    const { sandboxExecArgv } = await import("../../../server/src/adapters/evaluator/local/python-pool.js");
    const lockdown = new URL("../../../server/src/adapters/evaluator/local/python-lockdown.mjs", import.meta.url).href;
    // What code that got out of Python into the process would try, in the same process setup.
    const escape = `
      const { lockDown } = await import(${JSON.stringify(lockdown)});
      lockDown();
      const fs = process.getBuiltinModule("node:fs");
      const out = {};
      const attempt = async (label, work) => { try { await work(); out[label] = "allowed"; } catch (error) { out[label] = error.code ?? error.message; } };
      await attempt("read environ", () => fs.readFileSync("/proc/${process.pid}/environ"));
      await attempt("write", () => fs.writeFileSync(${JSON.stringify(join(scratch, "from-js"))}, "x"));
      await attempt("spawn", () => process.getBuiltinModule("node:child_process").spawnSync("sh", ["-c", "true"]));
      await attempt("connect", () => process.getBuiltinModule("node:net").connect(${port}, "127.0.0.1"));
      await attempt("fetch", () => fetch("http://127.0.0.1:${port}/"));
      await attempt("eval", () => new Function("return 1")());
      await attempt("addon", () => process.dlopen({ exports: {} }, "/nonexistent.node"));
      console.log(JSON.stringify({ out, env: Object.keys(process.env) }));
    `;
    const run = spawnSync(process.execPath, [...sandboxExecArgv(), "--input-type=module", "--eval", escape], { env: {}, encoding: "utf8" });
    const report = JSON.parse(run.stdout.trim().split("\n").pop()!) as { out: Record<string, string>; env: string[] };
    expect(report.env).toEqual([]);
    expect(report.out["read environ"]).toBe("ERR_ACCESS_DENIED");
    expect(report.out.write).toBe("ERR_ACCESS_DENIED");
    expect(report.out.spawn).toBe("ERR_ACCESS_DENIED");
    expect(report.out.connect).toMatch(/Network access is disabled/);
    expect(report.out.fetch).toMatch(/fetch is not defined/);
    expect(report.out.eval).toMatch(/Code generation from strings disallowed/);
    expect(report.out.addon).toBe("ERR_DLOPEN_DISABLED");
    expect(existsSync(join(scratch, "from-js"))).toBe(false);
    expect(connections).toBe(0);
  });
});

describe("the Python sandbox and time, memory and state", () => {
  it("when one submission changes builtins, modules and files, the next finds none of it", SLOW, async () => {
    const first = `import builtins, json, sys
builtins.leaked = 42
json.dumps = lambda *a, **k: "tampered"
sys.modules["planted"] = sys
with open("/tmp/state.txt", "w") as handle:
    handle.write("left behind")
def probe():
    return "planted"
`;
    expect(await actual(probe(first))).toBe("planted");
    const second = `import builtins, json, os, sys
def probe():
    return [hasattr(builtins, "leaked"), json.dumps(1), "planted" in sys.modules, os.path.exists("/tmp/state.txt")]
`;
    expect(await actual(probe(second))).toEqual([false, "1", false, false]);
  });

  it("when code loops forever and swallows the interrupt, the test ends as a timeout soon after its budget", SLOW, async () => {
    const code = `def probe():
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass
`;
    const started = performance.now();
    const result = await evaluator.evaluateCode(probe(code));
    expect(result.status).toBe("timeout");
    // 2 s per test, then 0.5 s for the interrupt to be honoured before the thread is terminated.
    expect(performance.now() - started).toBeLessThan(4000);
    // The process survives: the next submission is graded.
    expect(await actual(probe("def probe():\n    return 1\n"))).toBe(1);
  });

  it("when code allocates past the memory cap, the result is a memory error and the next submission still runs", SLOW, async () => {
    const result = await evaluator.evaluateCode(probe("def probe():\n    blocks = []\n    while True:\n        blocks.append(bytearray(8 * 1024 * 1024))\n"));
    expect(result.status).toBe("error");
    expect(result.error?.kind).toBe("memory");
    expect(await actual(probe("def probe():\n    return sum(range(10))\n"))).toBe(45);
  });
});
