import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_DB_TIMEOUTS, openDatabase, type DatabaseHandle } from "../../server/src/db/database.js";
import { mathProblem, openSession } from "../support/learning.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTestDatabase, testServices, type TestDatabase } from "../support/test-infra.js";

/** The documented bound: the statement deadline, plus slack for a loaded machine. */
const BOUND_MS = DEFAULT_DB_TIMEOUTS.statementMs + 1000;

describe.runIf(testServices.dbUrl)("when the network path to PostgreSQL freezes", () => {
  let created: TestDatabase;
  let proxy: TcpProxy;
  let handle: DatabaseHandle;
  let app: TestApp;
  beforeAll(async () => {
    created = await createTestDatabase();
    const target = new URL(created.url!);
    proxy = await startTcpProxy(Number(target.port || 5432));
    target.port = String(proxy.port);
    handle = await openDatabase({ kind: "postgres", url: target.toString(), poolSize: 3 });
    app = await startTestApp({ db: { handle, url: target.toString(), dispose: async () => {} }, redis: null });
  });
  afterAll(async () => {
    await app?.close();
    proxy?.resume();
    await handle?.close();
    await proxy?.close();
    await created?.dispose();
  });

  it("reads, writes and readiness answer 503 UNAVAILABLE within the bound, more of them than the pool has connections, and it serves again after", { timeout: 60_000 }, async () => {
    const problem = mathProblem("expression");
    const session = await openSession(app, "stall-user", problem);
    const headers = await app.authFor("stall-user");
    expect((await http(`${app.url}/v1/mastery`, { headers })).status).toBe(200);

    proxy.stall();
    const timed = async (request: Promise<{ status: number; body: unknown }>) => {
      const started = Date.now();
      const response = await request;
      return { status: response.status, code: (response.body as { error?: { code?: string } })?.error?.code, ms: Date.now() - started };
    };
    const submission = () =>
      http(`${app.url}/v1/submissions`, {
        method: "POST",
        headers,
        json: { session_id: session.id, problem_id: problem.id, subject: "math", payload: { expression: "x+1" } },
      });
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, () => timed(http(`${app.url}/v1/mastery`, { headers }))),
      ...Array.from({ length: 4 }, () => timed(submission())),
      timed(http(`${app.url}/health/ready`)),
    ]);
    console.info(`database-stall: ${answers.map((answer) => `${answer.status} in ${answer.ms} ms`).join(", ")}`);
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.ms).toBeLessThan(BOUND_MS);
    }
    expect(answers.slice(0, 8).every((answer) => answer.code === "UNAVAILABLE")).toBe(true);

    proxy.resume();
    proxy.cut();
    let recovered = 0;
    for (let attempt = 0; attempt < 40 && recovered !== 200; attempt++) {
      recovered = (await http(`${app.url}/v1/mastery`, { headers })).status;
      if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(recovered).toBe(200);
  });
});
