import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codingProblem, openSession, type SessionBody } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ env: { CO_RATE_LIMIT_REQUESTS: "100000" } });
});
afterAll(() => app.close());

const advance = async (id: string, user: string, extra: Record<string, unknown> = {}) =>
  http<SessionBody & { updated_at: string; error: { code: string; details: Record<string, unknown> } }>(`${app.url}/v1/sessions/${id}`, {
    method: "PATCH",
    headers: await app.authFor(user),
    json: { action: "advance", ...extra },
  });

describe("concurrent and stale advances", () => {
  it("when 20 advances arrive at once without a precondition, they apply one after another: each moves on from the one before", async () => {
    const session = await openSession(app, "racer", codingProblem());
    const answers = await Promise.all(Array.from({ length: 20 }, () => advance(session.id, "racer")));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    const chain = answers.map((answer) => answer.body).sort((a, b) => a.updated_at.localeCompare(b.updated_at));
    // Lost updates would all answer the one recommendation computed from the same state.
    expect(new Set(chain.map((step) => step.problem_id)).size).toBeGreaterThan(1);
    // updated_at grows with each write in the order the writes landed, so the sort is that order;
    // each advance excludes the problem it moved from: in a serial chain no two neighbours match.
    expect(chain[0]!.problem_id).not.toBe(session.problem_id);
    for (let index = 1; index < chain.length; index++) {
      expect(chain[index]!.updated_at > chain[index - 1]!.updated_at).toBe(true);
      expect(chain[index]!.problem_id).not.toBe(chain[index - 1]!.problem_id);
    }
    const final = await http<SessionBody>(`${app.url}/v1/sessions/${session.id}`, { headers: await app.authFor("racer") });
    expect(final.body.problem_id).toBe(chain.at(-1)!.problem_id);
  });

  it("when expected_problem_id is stale, the advance answers 409 naming the current problem and changes nothing", async () => {
    const session = await openSession(app, "stale", codingProblem());
    const first = await advance(session.id, "stale", { expected_problem_id: session.problem_id });
    expect(first.status).toBe(200);
    const stale = await advance(session.id, "stale", { expected_problem_id: session.problem_id });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe("CONFLICT");
    expect(stale.body.error.details).toMatchObject({ problem_id: first.body.problem_id, expected_problem_id: session.problem_id });
    const now = await http<SessionBody>(`${app.url}/v1/sessions/${session.id}`, { headers: await app.authFor("stale") });
    expect(now.body.problem_id).toBe(first.body.problem_id);
  });

  it("when 20 advances arrive at once with the same precondition, exactly one applies and 19 answer 409", async () => {
    const session = await openSession(app, "precondition", codingProblem());
    const answers = await Promise.all(Array.from({ length: 20 }, () => advance(session.id, "precondition", { expected_problem_id: session.problem_id })));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(19);
  });
});
