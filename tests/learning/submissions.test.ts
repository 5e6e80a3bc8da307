import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mastery, problems, reviewQueue, submissions } from "../../server/src/db/schema/index.js";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { buildDeps } from "../../server/src/composition.js";
import { parseConfig } from "../../server/src/config/config.js";
import { createApp } from "../../server/src/http/app.js";
import { createLogger } from "../../server/src/logger.js";
import { jsonAfter, startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { codingBody, codingProblem, mathProblem, openSession, packProblem, submit } from "../support/learning.js";
import { testServices } from "../support/test-infra.js";
import { http, startTestApp, TEST_JWT_SECRET, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const problem = codingProblem();
const reference = problem.reference_solutions!;
const rowsFor = async (userId: string) =>
  (await app.db.handle.db.select({ n: count() }).from(submissions).where(eq(submissions.userId, userId)))[0]!.n;

describe("coding submissions", () => {
  it("when the reference solution is submitted in JavaScript, it passes with visible details and hidden counts only", async () => {
    const session = await openSession(app, "c-pass", problem);
    const { status, body } = await submit(app, "c-pass", codingBody(session.id, problem, reference.javascript));
    expect(status).toBe(200);
    expect(body.status).toBe("passed");
    expect(body.visible).toMatchObject({ passed: problem.visible_tests!.length, total: problem.visible_tests!.length });
    expect(body.visible.details[0]).toMatchObject({ passed: true, input: problem.visible_tests![0]!.input });
    expect(body.hidden).toEqual({ passed: problem.hidden_tests.length, total: problem.hidden_tests.length, categories: [] });
    const raw = JSON.stringify(body);
    for (const hidden of problem.hidden_tests) expect(raw).not.toContain(JSON.stringify(hidden.input));
  });

  it("grades Python too", async () => {
    const session = await openSession(app, "c-python", problem);
    const { body } = await submit(app, "c-python", codingBody(session.id, problem, reference.python, "python"));
    expect(body.status).toBe("passed");
  });

  it("when nothing passes, the category is logic_error; a syntax error is compile_error; a loop is timeout", async () => {
    const session = await openSession(app, "c-fail", problem);
    const entry = problem.entrypoint!.javascript;
    const wrong = await submit(app, "c-fail", codingBody(session.id, problem, `function ${entry}() { return "nope"; }`));
    expect(wrong.body).toMatchObject({ status: "failed", hidden: { passed: 0, categories: ["logic_error"] } });
    const broken = await submit(app, "c-fail", codingBody(session.id, problem, `function ${entry}( {`));
    expect(broken.body).toMatchObject({ status: "error", hidden: { categories: ["compile_error"] } });
    const loop = await submit(app, "c-fail", codingBody(session.id, problem, `function ${entry}() { while (true) {} }`));
    expect(loop.body).toMatchObject({ status: "timeout", hidden: { categories: ["timeout"] } });
  });

  /** JavaScript that answers only the given hidden tests correctly, from a lookup of their inputs. */
  const answering = (tests: { input: unknown[]; expected: unknown }[]) => {
    const table = Object.fromEntries(tests.map((test) => [JSON.stringify(test.input), test.expected]));
    return `function ${problem.entrypoint!.javascript}(...args) { const table = ${JSON.stringify(table)}; const key = JSON.stringify(args); return key in table ? table[key] : "nope"; }`;
  };

  it("when fewer than half the hidden tests pass, the category is edge_cases; at least half but not all, minor_issues", async () => {
    const session = await openSession(app, "c-partial", problem);
    const few = await submit(app, "c-partial", codingBody(session.id, problem, answering(problem.hidden_tests.slice(0, 1))));
    expect(few.body).toMatchObject({ status: "failed", hidden: { passed: 1, categories: ["edge_cases"] } });
    const most = await submit(app, "c-partial", codingBody(session.id, problem, answering(problem.hidden_tests.slice(0, -1))));
    expect(most.body).toMatchObject({ status: "failed", hidden: { categories: ["minor_issues"] } });
  });

  it("when the code throws on every test, it is an error with runtime_error and the exception in each visible detail", async () => {
    const session = await openSession(app, "c-throws", problem);
    const entry = problem.entrypoint!.javascript;
    const { body } = await submit(app, "c-throws", codingBody(session.id, problem, `function ${entry}(xs) { return xs.missing.length; }`));
    expect(body).toMatchObject({ status: "error", hidden: { passed: 0, categories: ["runtime_error"] } });
    expect(body.visible.details[0]!.message).toMatch(/TypeError/);
  });

  it("answers 413 for code over 64 KiB and 400 for a missing language", async () => {
    const session = await openSession(app, "c-limits", problem);
    const big = await submit(app, "c-limits", codingBody(session.id, problem, "x".repeat(64 * 1024 + 1)));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const missing = await submit(app, "c-limits", { session_id: session.id, problem_id: problem.id, subject: "coding", payload: { code: "x" } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toContain("payload.language");
    expect(await rowsFor("c-limits")).toBe(0);
  });
});

describe("math submissions", () => {
  const expression = mathProblem("expression");
  const equation = mathProblem("equation");

  it("accepts an equivalent rewrite of the answer", async () => {
    const session = await openSession(app, "m-pass", expression);
    const { body } = await submit(app, "m-pass", {
      session_id: session.id,
      problem_id: expression.id,
      subject: "math",
      payload: { expression: expression.equivalent_answer },
    });
    expect(body).toMatchObject({ status: "passed", visible: { passed: 1, total: 1 }, hidden: { categories: [] } });
    expect(JSON.stringify(body)).not.toContain(expression.solution!);
  });

  it("compares equation answers as sets in any notation", async () => {
    const session = await openSession(app, "m-eq", equation);
    const { body } = await submit(app, "m-eq", {
      session_id: session.id,
      problem_id: equation.id,
      subject: "math",
      payload: { expression: equation.equivalent_answer },
    });
    expect(body.status).toBe("passed");
  });

  it("reports incorrect_answer, syntax_error and 413 for an oversized expression", async () => {
    const session = await openSession(app, "m-fail", expression);
    const base = { session_id: session.id, problem_id: expression.id, subject: "math" };
    const wrong = await submit(app, "m-fail", { ...base, payload: { expression: "12345*x + 987" } });
    expect(wrong.body).toMatchObject({ status: "failed", hidden: { categories: ["incorrect_answer"] } });
    const garbled = await submit(app, "m-fail", { ...base, payload: { expression: "2*x +" } });
    expect(garbled.body).toMatchObject({ status: "error", hidden: { categories: ["syntax_error"] } });
    expect(JSON.stringify(garbled.body.visible.details)).toMatch(/char/);
    expect((await submit(app, "m-fail", { ...base, payload: { expression: "1".repeat(2049) } })).status).toBe(413);
    expect((await submit(app, "m-fail", { ...base, payload: { steps: Array(51).fill("x") } })).status).toBe(413);
    expect((await submit(app, "m-fail", { ...base, payload: {} })).status).toBe(400);
  });
});

describe("size limits", () => {
  const expression = mathProblem("expression");

  it("when code is within 64 Ki characters but over 64 KiB of UTF-8, it answers 413 and stores nothing", async () => {
    const session = await openSession(app, "s-bytes", problem);
    const accented = await submit(app, "s-bytes", codingBody(session.id, problem, "é".repeat(64 * 1024)));
    expect(accented.status).toBe(413);
    expect(accented.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const emoji = await submit(app, "s-bytes", codingBody(session.id, problem, `//${"😀".repeat(16 * 1024)}`));
    expect(emoji.status).toBe(413);
    expect(await rowsFor("s-bytes")).toBe(0);
  });

  it("when an expression or a step is over 2 KiB of UTF-8, it answers 413; exactly 2 KiB is graded", async () => {
    const session = await openSession(app, "s-math-bytes", expression);
    const base = { session_id: session.id, problem_id: expression.id, subject: "math" };
    expect((await submit(app, "s-math-bytes", { ...base, payload: { expression: "é".repeat(1025) } })).status).toBe(413);
    expect((await submit(app, "s-math-bytes", { ...base, payload: { steps: ["x", "€".repeat(700)] } })).status).toBe(413);
    const atLimit = await submit(app, "s-math-bytes", { ...base, payload: { expression: `x+${"1".repeat(2046)}` } });
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.hidden.categories).toEqual(["incorrect_answer"]);
  });

  it("when a field that is not a §8.4 payload is too long, it is an ordinary 400, not 413", async () => {
    const session = await openSession(app, "s-other", problem);
    const response = await submit(app, "s-other", { ...codingBody(session.id, problem, reference.javascript), problem_id: "p".repeat(201) });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("VALIDATION_ERROR");
    expect(response.body.error.message).toContain("problem_id");
  });

  it("when oversized code comes over tRPC, the error is 413 PAYLOAD_TOO_LARGE with the issue", async () => {
    const session = await openSession(app, "s-trpc", problem);
    const client = createTrpcClient(app.url, await app.tokenFor("s-trpc"));
    const error = await client.submissions.create
      .mutate({ session_id: session.id, problem_id: problem.id, subject: "coding", payload: { language: "javascript", code: "é".repeat(40_000) } })
      .catch((caught: unknown) => caught as { data?: { app_code?: string; httpStatus?: number; details?: { issues?: { path: string }[] } } });
    expect(error).toMatchObject({ data: { app_code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } });
    expect((error as { data: { details: { issues: { path: string }[] } } }).data.details.issues[0]!.path).toBe("payload.code");
  });
});

describe("math grading budget", () => {
  const equation = mathProblem("equation");

  it("when 50 oscillating 2 KiB steps would take far longer than the grading budget, the answer is graded unknown_error", { timeout: 60_000 }, async () => {
    const balanced = (terms: string[]): string =>
      terms.length === 1 ? terms[0]! : `(${balanced(terms.slice(0, terms.length >> 1))}+${balanced(terms.slice(terms.length >> 1))})`;
    const step = `${balanced(Array.from({ length: 60 }, (_, i) => `sin(${i + 1}*x)`))} = 0`;
    expect(step.length).toBeLessThanOrEqual(2048);
    const session = await openSession(app, "m-budget", equation);
    const { status, body } = await submit(app, "m-budget", {
      session_id: session.id,
      problem_id: equation.id,
      subject: "math",
      payload: { expression: equation.solution, steps: Array(50).fill(step) },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "failed", hidden: { categories: ["unknown_error"] } });
    expect(JSON.stringify(body.visible.details)).toMatch(/time limit/);
  });
});

describe("when a write inside the submission transaction fails", () => {
  it("nothing of the submission is kept: no submission row, no mastery, no review item", async () => {
    const user = "tx-refused";
    const session = await openSession(app, user, problem);
    // A real constraint that refuses this user's review-queue row: the last write of the transaction fails.
    await app.db.handle.db.execute(sql.raw(`ALTER TABLE review_queue ADD CONSTRAINT refuse_tx_user CHECK (user_id <> '${user}')`));
    try {
      const entry = problem.entrypoint!.javascript;
      const response = await submit(app, user, codingBody(session.id, problem, `function ${entry}() { return null; }`));
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe("INTERNAL");
    } finally {
      await app.db.handle.db.execute(sql.raw("ALTER TABLE review_queue DROP CONSTRAINT refuse_tx_user"));
    }
    expect(await rowsFor(user)).toBe(0);
    expect(await app.db.handle.db.select().from(mastery).where(eq(mastery.userId, user))).toEqual([]);
    expect(await app.db.handle.db.select().from(reviewQueue).where(eq(reviewQueue.userId, user))).toEqual([]);
  });
});

describe("session and ownership checks", () => {
  it("answers 404 for another user's session, 409 for another problem or an ended session", async () => {
    const session = await openSession(app, "o-owner", problem);
    const body = codingBody(session.id, problem, reference.javascript);
    expect((await submit(app, "o-intruder", body)).status).toBe(404);
    const other = packProblem((candidate) => candidate.type === "coding" && candidate.id !== problem.id);
    expect((await submit(app, "o-owner", { ...body, problem_id: other.id })).status).toBe(409);
    await http(`${app.url}/v1/sessions/${session.id}`, { method: "PATCH", headers: await app.authFor("o-owner"), json: { action: "giveup" } });
    expect((await submit(app, "o-owner", body)).status).toBe(409);
    expect(await rowsFor("o-owner")).toBe(0);
  });

  it("gets and lists only the caller's own submissions", async () => {
    const session = await openSession(app, "o-list", problem);
    const first = await submit(app, "o-list", codingBody(session.id, problem, reference.javascript));
    const headers = await app.authFor("o-list");
    expect((await http(`${app.url}/v1/submissions/${first.body.id}`, { headers })).status).toBe(200);
    expect((await http(`${app.url}/v1/submissions/${first.body.id}`, { headers: await app.authFor("o-other") })).status).toBe(404);
    const list = await http<{ items: { id: string }[] }>(`${app.url}/v1/submissions?session_id=${session.id}`, { headers });
    expect(list.body.items.map((item) => item.id)).toEqual([first.body.id]);
    const foreign = await http<{ items: unknown[] }>(`${app.url}/v1/submissions?session_id=${session.id}`, {
      headers: await app.authFor("o-other"),
    });
    expect(foreign.body.items).toEqual([]);
  });
});

describe("Idempotency-Key", () => {
  it("returns the first result for the same key and body, evaluating nothing again; 409 for another body", async () => {
    const session = await openSession(app, "i-user", problem);
    const body = codingBody(session.id, problem, reference.javascript);
    const first = await submit(app, "i-user", body, { "idempotency-key": "attempt-1" });
    const again = await submit(app, "i-user", body, { "idempotency-key": "attempt-1" });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    expect(await rowsFor("i-user")).toBe(1);
    const changed = await submit(app, "i-user", { ...body, payload: { ...body.payload, code: `${reference.javascript}\n// v2` } }, {
      "idempotency-key": "attempt-1",
    });
    expect(changed.status).toBe(409);
    expect(await rowsFor("i-user")).toBe(1);
    expect((await submit(app, "i-user", body, { "idempotency-key": "k".repeat(256) })).status).toBe(400);
  });
});

describe("Idempotency-Key against a counting Evaluation service", () => {
  const expression = mathProblem("expression");
  let neighbour: FakeNeighbour;
  let clocked: TestApp;
  let clockOffsetMs = 0;
  const evaluations = () => neighbour.requestsTo("POST", "/evaluate/math").length;
  const answer = (sessionId: string, text = expression.solution!) => ({
    session_id: sessionId,
    problem_id: expression.id,
    subject: "math",
    payload: { expression: text },
  });

  beforeAll(async () => {
    neighbour = await startFakeNeighbour();
    // Slow enough that concurrent requests overlap while the first is being evaluated.
    neighbour.route("POST", "/evaluate/math", (_request, response) => jsonAfter(response, 150, 200, { correct: true, exec_ms: 1 }));
    const config = parseConfig({ CO_ENVIRONMENT: "test", CO_JWT_SECRET: TEST_JWT_SECRET, CO_LOG_LEVEL: "silent", CO_EVAL_BASE: neighbour.url });
    const clock = { now: () => new Date(Date.now() + clockOffsetMs) };
    const deps = await buildDeps({ config, logger: createLogger("silent"), database: app.db.handle, redis: null, clock });
    const server = await new Promise<Server>((resolve) => {
      const listening = createApp(deps).listen(0, "127.0.0.1", () => resolve(listening));
    });
    clocked = {
      ...app,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      deps,
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await deps.close();
      },
    };
  });
  afterAll(async () => {
    await clocked.close();
    await neighbour.close();
  });

  it("when a request is replayed with the same key and body, the evaluator is not called again", async () => {
    const session = await openSession(clocked, "ik-replay", expression);
    const before = evaluations();
    const first = await submit(clocked, "ik-replay", answer(session.id), { "idempotency-key": "replay-1" });
    const again = await submit(clocked, "ik-replay", answer(session.id), { "idempotency-key": "replay-1" });
    expect(first.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(evaluations() - before).toBe(1);
    expect(await rowsFor("ik-replay")).toBe(1);
  });

  it("when five requests with one key arrive together, one evaluation runs and all five answer its result", async () => {
    const session = await openSession(clocked, "ik-race", expression);
    const before = evaluations();
    const results = await Promise.all(
      Array.from({ length: 5 }, () => submit(clocked, "ik-race", answer(session.id), { "idempotency-key": "race-1" })),
    );
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(results.map((result) => result.body.id)).size).toBe(1);
    expect(evaluations() - before).toBe(1);
    expect(await rowsFor("ik-race")).toBe(1);
  });

  it("when another user sends the same key, it is their own submission, evaluated", async () => {
    const mine = await openSession(clocked, "ik-user-a", expression);
    const theirs = await openSession(clocked, "ik-user-b", expression);
    const before = evaluations();
    const a = await submit(clocked, "ik-user-a", answer(mine.id), { "idempotency-key": "shared-key" });
    const b = await submit(clocked, "ik-user-b", answer(theirs.id), { "idempotency-key": "shared-key" });
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(evaluations() - before).toBe(2);
  });

  it("when the same key comes back after 24 h, it is evaluated again as a new submission", async () => {
    const session = await openSession(clocked, "ik-expired", expression);
    const before = evaluations();
    const first = await submit(clocked, "ik-expired", answer(session.id), { "idempotency-key": "daily" });
    clockOffsetMs = 25 * 3_600_000;
    try {
      const later = await submit(clocked, "ik-expired", answer(session.id), { "idempotency-key": "daily" });
      expect(later.status).toBe(200);
      expect(later.body.id).not.toBe(first.body.id);
      expect(evaluations() - before).toBe(2);
      const replay = await submit(clocked, "ik-expired", answer(session.id), { "idempotency-key": "daily" });
      expect(replay.body.id).toBe(later.body.id);
      expect(evaluations() - before).toBe(2);
    } finally {
      clockOffsetMs = 0;
    }
  });

  it("when the same key comes with another body, it answers 409 and evaluates nothing", async () => {
    const session = await openSession(clocked, "ik-conflict", expression);
    await submit(clocked, "ik-conflict", answer(session.id), { "idempotency-key": "body-1" });
    const before = evaluations();
    const changed = await submit(clocked, "ik-conflict", answer(session.id, "x + 1"), { "idempotency-key": "body-1" });
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe("CONFLICT");
    expect(evaluations() - before).toBe(0);
    expect(await rowsFor("ik-conflict")).toBe(1);
  });
});

describe("mastery and the review queue", () => {
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

describe("submissions over tRPC", () => {
  it("returns the stored result with a Date and honours the Idempotency-Key header", async () => {
    const session = await openSession(app, "t-user", problem);
    const client = createTrpcClient(app.url, await app.tokenFor("t-user"), { "idempotency-key": "trpc-1" });
    const result = await client.submissions.create.mutate({
      session_id: session.id,
      problem_id: problem.id,
      subject: "coding",
      payload: { language: "javascript", code: reference.javascript },
    });
    expect(result.created_at).toBeInstanceOf(Date);
    const again = await client.submissions.create.mutate({
      session_id: session.id,
      problem_id: problem.id,
      subject: "coding",
      payload: { language: "javascript", code: reference.javascript },
    });
    expect(again.id).toBe(result.id);
    expect((await client.submissions.get.query({ id: result.id })).status).toBe("passed");
  });
});

describe("when the Evaluation service fails", () => {
  let neighbour: FakeNeighbour;
  let remote: TestApp;
  beforeAll(async () => {
    neighbour = await startFakeNeighbour();
    remote = await startTestApp({ db: app.db, redis: null, env: { CO_EVAL_BASE: neighbour.url, CO_EVAL_TIMEOUT_MS: "300" } });
  });
  afterAll(async () => {
    await remote.close();
    await neighbour.close();
  });

  it("a 500 answers 502 and writes nothing; a slow answer 504 and writes nothing", async () => {
    const session = await openSession(remote, "n-user", problem);
    neighbour.route("POST", "/evaluate/code", (_request, response) => {
      response.statusCode = 500;
      response.end("boom");
    });
    const failed = await submit(remote, "n-user", codingBody(session.id, problem, reference.javascript));
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe("UPSTREAM_ERROR");
    neighbour.route("POST", "/evaluate/code", async (_request, response) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      response.end("{}");
    });
    const slow = await submit(remote, "n-user", codingBody(session.id, problem, reference.javascript));
    expect(slow.status).toBe(504);
    expect(slow.body.error.code).toBe("UPSTREAM_TIMEOUT");
    expect(await rowsFor("n-user")).toBe(0);
    expect(await app.db.handle.db.select().from(mastery).where(eq(mastery.userId, "n-user"))).toEqual([]);
    expect(neighbour.requestsTo("POST", "/evaluate/code")[0]!.body).toMatchObject({
      problem_id: problem.id,
      language: "javascript",
      test_bundle: { problem_id: problem.id },
    });
  });
});
