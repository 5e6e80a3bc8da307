import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mastery, problems, reviewQueue } from "../../server/src/db/schema/index.js";
import { codingBody, codingProblem, mathProblem, openSession, submit } from "../support/learning.js";
import { testServices } from "../support/test-infra.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

// These describe the replaced bucket schedule of §8.4, kept behind CO_REVIEW_SCHEDULER=buckets.
let app: TestApp;
beforeAll(async () => {
  // The 40-way bursts below are about mastery, not the evaluator's queue bound: let them all wait.
  app = await startTestApp({ env: { CO_REVIEW_SCHEDULER: "buckets", CO_EVAL_QUEUE_LIMIT: "100" } });
});
afterAll(() => app.close());

const problem = codingProblem();
const reference = problem.reference_solutions!;

describe("mastery and the review queue under the bucket scheduler", () => {
  it("a failure queues the problem in bucket 0; a pass moves it on; one row per problem", async () => {
    const session = await openSession(app, "r-user", problem);
    const entry = problem.entrypoint!.javascript;
    await submit(app, "r-user", codingBody(session.id, problem, `function ${entry}() { return null; }`));
    await submit(app, "r-user", codingBody(session.id, problem, `function ${entry}() { return null; }`));
    let rows = await app.db.handle.db.select().from(reviewQueue).where(eq(reviewQueue.userId, "r-user"));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ bucket: 0, reason: "fail", subject: "coding", track: problem.track });
    await submit(app, "r-user", codingBody(session.id, problem, reference.javascript));
    rows = await app.db.handle.db.select().from(reviewQueue).where(eq(reviewQueue.userId, "r-user"));
    expect(rows[0]!.bucket).toBe(1);
    const dueInDays = (rows[0]!.nextDueAt.getTime() - Date.now()) / 86_400_000;
    expect(dueInDays).toBeGreaterThan(2.9);
    expect(dueInDays).toBeLessThan(3.1);

    const items = (await http<{ items: { key_type: string; key_id: string; score: number }[] }>(`${app.url}/v1/mastery`, {
      headers: await app.authFor("r-user"),
    })).body.items;
    const topic = items.find((item) => item.key_type === "topic" && item.key_id === problem.topics[0]);
    // 0.5 → 0.4 → 0.32 → 0.456
    expect(topic?.score).toBe(46);
    expect(items.some((item) => item.key_type === "outcome" && item.key_id === problem.outcomes[0])).toBe(true);
  });

  it("20 concurrent submissions give the same EMA as 20 sequential ones (no lost update)", { timeout: 120_000 }, async () => {
    const session = await openSession(app, "conc-user", problem);
    const body = codingBody(session.id, problem, reference.javascript);
    const results = await Promise.all(Array.from({ length: 20 }, () => submit(app, "conc-user", body)));
    expect(results.every((result) => result.status === 200)).toBe(true);
    let expected = 0.5;
    for (let i = 0; i < 20; i++) expected += 0.2 * (1 - expected);
    const rows = await app.db.handle.db.select().from(mastery).where(eq(mastery.userId, "conc-user"));
    expect(rows.length).toBe(problem.topics.length + problem.outcomes.length);
    for (const row of rows) {
      expect(row.ema).toBeCloseTo(expected, 10);
      expect(row.score).toBe(Math.round(expected * 100));
    }
    expect(await app.db.handle.db.select().from(reviewQueue).where(eq(reviewQueue.userId, "conc-user"))).toHaveLength(0);
  });
});

describe("mastery under concurrent submissions on real PostgreSQL", () => {
  // PGlite runs one transaction at a time, so lock ordering only shows on a real server.
  it.skipIf(!testServices.dbUrl)(
    "when one user submits in parallel to two problems listing the same topics in opposite orders, none deadlocks and every key sees every observation",
    { timeout: 120_000 },
    async () => {
      const base = mathProblem("expression");
      const [seeded] = await app.db.handle.db.select().from(problems).where(eq(problems.id, base.id));
      const topics = ["lock-a", "lock-b", "lock-c", "lock-d", "lock-e", "lock-f"];
      const outcomes = ["lock-x", "lock-y", "lock-z"];
      const ordered = { ...seeded!, id: "lock-order-forward", topics, outcomes, contentHash: "lock-forward" };
      const reversed = { ...seeded!, id: "lock-order-reverse", topics: [...topics].reverse(), outcomes: [...outcomes].reverse(), contentHash: "lock-reverse" };
      await app.db.handle.db.insert(problems).values([ordered, reversed]);

      const sessions = [
        await openSession(app, "lock-user", { id: ordered.id, subject: "math" }),
        await openSession(app, "lock-user", { id: reversed.id, subject: "math" }),
      ];
      const rounds = 20;
      const results = await Promise.all(
        Array.from({ length: rounds * 2 }, (_, i) => {
          const session = sessions[i % 2]!;
          return submit(app, "lock-user", { session_id: session.id, problem_id: session.problem_id, subject: "math", payload: { expression: base.solution } });
        }),
      );
      expect(results.map((result) => result.status)).toEqual(Array(rounds * 2).fill(200));
      expect(results.every((result) => result.body.status === "passed")).toBe(true);

      let expected = 0.5;
      for (let i = 0; i < rounds * 2; i++) expected += 0.2 * (1 - expected);
      const rows = await app.db.handle.db.select().from(mastery).where(eq(mastery.userId, "lock-user"));
      expect(rows.map((row) => row.keyId).sort()).toEqual([...topics, ...outcomes].sort());
      for (const row of rows) expect(row.ema).toBeCloseTo(expected, 10);
    },
  );
});
