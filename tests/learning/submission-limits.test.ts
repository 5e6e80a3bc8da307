import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mastery, reviewQueue } from "../../server/src/db/schema/index.js";
import { codingBody, codingProblem, mathProblem, openSession, submissionCount, submit } from "../support/learning.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const problem = codingProblem();
const reference = problem.reference_solutions!;
const rowsFor = (userId: string) => submissionCount(app, userId);

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
