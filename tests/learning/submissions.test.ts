import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mastery } from "../../server/src/db/schema/index.js";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { codingBody, codingProblem, mathProblem, openSession, packProblem, submissionCount, submit } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const problem = codingProblem();
const reference = problem.reference_solutions!;
const rowsFor = (userId: string) => submissionCount(app, userId);

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
