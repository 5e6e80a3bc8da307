import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mintUserToken } from "../../server/src/auth/token-minter.js";
import { parseConfig } from "../../server/src/config/config.js";
import { openDatabase } from "../../server/src/db/database.js";
import { createLogger } from "../../server/src/logger.js";
import { startService } from "../../server/src/server.js";
import { codingBody, codingProblem, openSession } from "../support/learning.js";
import { http, TEST_JWT_SECRET, type TestApp } from "../support/test-app.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const configFor = (env: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), "co-start-"));
  dirs.push(dir);
  return parseConfig({ CO_ENVIRONMENT: "test", CO_JWT_SECRET: TEST_JWT_SECRET, CO_LOG_LEVEL: "silent", CO_DATA_DIR: dir, ...env });
};

describe("clean starts and stops", () => {
  it("when the port is taken, the start fails with listen EADDRINUSE instead of claiming to listen", { timeout: 60_000 }, async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    try {
      await expect(startService(configFor({ CO_PORT: String(port) }), { logger: createLogger("silent") })).rejects.toThrow(/listen EADDRINUSE/);
    } finally {
      holder.close();
    }
  });

  it("when Redis is down at start, it starts, fails open and reports readiness degraded; a request still running after the grace gets a 503", { timeout: 60_000 }, async () => {
    const service = await startService(configFor({ CO_PORT: "0", CO_REDIS_URL: "redis://127.0.0.1:1", CO_SHUTDOWN_GRACE_MS: "300" }), {
      logger: createLogger("silent"),
    });
    let closed = false;
    try {
      const ready = await http<{ status: string; checks: Record<string, string> }>(`${service.url}/health/ready`);
      expect(ready.body).toMatchObject({ status: "degraded", checks: { redis: "down" } });
      const config = service.deps.config;
      const token = await mintUserToken({ secret: config.auth.secret!, sub: "grace-user", issuer: config.auth.issuer, audience: config.auth.audience });
      const app = { url: service.url, authFor: async () => ({ authorization: `Bearer ${token}` }) } as unknown as TestApp;
      expect((await http(`${service.url}/v1/mastery`, { headers: await app.authFor("grace-user") })).status).toBe(200);

      const problem = codingProblem();
      const session = await openSession(app, "grace-user", problem);
      const slow = http<{ error: { code: string } }>(`${service.url}/v1/submissions`, {
        method: "POST",
        headers: await app.authFor("grace-user"),
        json: codingBody(session.id, problem, `function ${(problem.entrypoint as { javascript: string }).javascript}(){ for(;;){} }`),
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const started = Date.now();
      const closing = service.close();
      const answer = await slow;
      console.info(`grace: ${answer.status} after ${Date.now() - started} ms`, JSON.stringify(answer.body).slice(0, 120));
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe("UNAVAILABLE");
      expect(Date.now() - started).toBeLessThan(1500);
      await closing;
      closed = true;
    } finally {
      if (!closed) await service.close();
    }
  });
});

describe("the embedded database directory", () => {
  it("when a second opener comes while the first holds it, it is refused naming the owner; after a close it opens again", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "co-lock-"));
    dirs.push(dir);
    const first = await openDatabase({ kind: "pglite", dataDir: dir });
    await expect(openDatabase({ kind: "pglite", dataDir: dir })).rejects.toThrow(`in use by process ${process.pid}`);
    await first.close();
    const again = await openDatabase({ kind: "pglite", dataDir: dir });
    await again.ping();
    await again.close();
  });

  it("when the lock was left by a process that no longer runs, it is taken over", { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "co-lock-"));
    dirs.push(dir);
    const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(join(dir, "co.lock"), gone.stdout);
    const handle = await openDatabase({ kind: "pglite", dataDir: dir });
    await handle.close();
  });
});
