import { eq, max } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readContentPack, seedContent } from "../../server/src/content/load-pack.js";
import { openDatabase, type DatabaseHandle } from "../../server/src/db/database.js";
import { mastery, reviewQueue, submissions } from "../../server/src/db/schema/index.js";
import { mathProblem, openSession } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { canRunThrowawayPostgres, startThrowawayPostgres, type ThrowawayPostgres } from "../support/throwaway-postgres.js";

const WRITERS = 6;
const TRIALS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(canRunThrowawayPostgres)("when PostgreSQL is killed under write load", () => {
  let cluster: ThrowawayPostgres;
  let handle: DatabaseHandle;
  let app: TestApp;
  beforeAll(async () => {
    cluster = await startThrowawayPostgres();
    handle = await openDatabase({ kind: "postgres", url: cluster.url, poolSize: 4 });
    await handle.migrate();
    await seedContent(handle.db, readContentPack());
    app = await startTestApp({ db: { handle, url: cluster.url, dispose: async () => {} }, redis: null, env: { CO_RATE_LIMIT_REQUESTS: "100000" } });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await handle?.close();
    cluster?.dispose();
  });

  it("the same process answers 503 while it is down, serves again after a restart, and no submission is half-written", { timeout: 180_000 }, async () => {
    const problem = mathProblem("expression");
    const users = Array.from({ length: WRITERS }, (_, index) => `crash-writer-${index}`);
    const sessions = await Promise.all(users.map((user) => openSession(app, user, problem)));
    const headers = await Promise.all(users.map((user) => app.authFor(user)));
    const statuses = new Map<number, number>();
    const acknowledged: string[] = [];
    let writing = true;
    const recoveries: string[] = [];

    const writer = async (index: number) => {
      while (writing) {
        const response = await http<{ id: string }>(`${app.url}/v1/submissions`, {
          method: "POST",
          headers: headers[index],
          json: { session_id: sessions[index]!.id, problem_id: problem.id, subject: "math", payload: { expression: "x+123456" } },
        });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        if (response.status === 200) acknowledged.push(response.body.id);
        else await sleep(20);
      }
    };

    const load = users.map((_, index) => writer(index));
    for (let trial = 0; trial < TRIALS; trial++) {
      await sleep(800);
      cluster.kill();
      await sleep(1500);
      const down = await http<{ error: { code: string } }>(`${app.url}/v1/mastery`, { headers: headers[0] });
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe("UNAVAILABLE");
      const restarting = Date.now();
      cluster.start();
      const started = Date.now();
      let recovered = 0;
      for (let attempt = 0; attempt < 40 && recovered !== 200; attempt++) {
        recovered = (await http(`${app.url}/v1/mastery`, { headers: headers[0] })).status;
        if (recovered !== 200) await sleep(250);
      }
      expect(recovered).toBe(200);
      recoveries.push(`start ${started - restarting} ms, serving ${Date.now() - started} ms later`);
    }
    await sleep(800);
    writing = false;
    await Promise.all(load);

    // Only successes and 503s: no 500, no dropped socket (fetch would have thrown).
    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    expect(statuses.get(503)).toBeGreaterThan(0);

    const stored = new Set((await handle.db.select({ id: submissions.id }).from(submissions)).map((row) => row.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    // Mastery and the review queue are written in the submission's transaction: each user's
    // latest submission and latest mastery update carry the same timestamp, and a review row exists.
    for (const user of users) {
      const [latestSubmission] = await handle.db.select({ at: max(submissions.createdAt) }).from(submissions).where(eq(submissions.userId, user));
      const [latestMastery] = await handle.db.select({ at: max(mastery.updatedAt) }).from(mastery).where(eq(mastery.userId, user));
      expect(latestMastery!.at?.getTime(), user).toBe(latestSubmission!.at?.getTime());
      expect(await handle.db.select().from(reviewQueue).where(eq(reviewQueue.userId, user))).toHaveLength(1);
    }
    console.info(`postgres-crash: ${TRIALS} kills, responses by status ${JSON.stringify(Object.fromEntries(statuses))}; ${recoveries.join("; ")}`);
  });
});
