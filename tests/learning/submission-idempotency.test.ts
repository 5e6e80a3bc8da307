import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonAfter, startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { codingBody, codingProblem, mathProblem, openSession, submissionCount, submit } from "../support/learning.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const problem = codingProblem();
const reference = problem.reference_solutions!;
const rowsFor = (userId: string) => submissionCount(app, userId);

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
    clocked = await startTestApp({
      env: { CO_EVAL_BASE: neighbour.url },
      db: app.db,
      redis: null,
      clock: { now: () => new Date(Date.now() + clockOffsetMs) },
    });
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
