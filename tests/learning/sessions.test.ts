import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import { codingProblem, mathProblem, openSession, type SessionBody } from "../support/learning.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const create = async (user: string, json: unknown) =>
  http<SessionBody & { error: { code: string; message: string }; track_id: string | null }>(`${app.url}/v1/sessions`, {
    method: "POST",
    headers: await app.authFor(user),
    json,
  });

describe("creating a session", () => {
  it("starts a new learner on a recommended easy problem of the first module in track mode", async () => {
    const track = (await http<{ id: string; modules: { id: string }[] }>(`${app.url}/v1/tracks/coding-foundations`, {
      headers: await app.authFor("s-new"),
    })).body;
    const { status, body } = await create("s-new", { subject: "coding", mode: "track", track_id: "coding-foundations" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: "active", last_hint_level: 0, track_id: track.id });
    const problem = (await http<{ module: string; difficulty: number }>(`${app.url}/v1/problems/${body.problem_id}`, {
      headers: await app.authFor("s-new"),
    })).body;
    expect(problem.module).toBe(track.modules[0]!.id);
    expect(problem.difficulty).toBeLessThanOrEqual(2);
  });

  it("uses the given problem", async () => {
    const problem = mathProblem();
    const { status, body } = await create("s-given", { subject: "math", mode: "practice", problem_id: problem.id });
    expect(status).toBe(201);
    expect(body.problem_id).toBe(problem.id);
  });

  it("answers 404 for an unknown problem and 400 for one of another subject", async () => {
    expect((await create("s-bad", { subject: "coding", problem_id: "no-such-problem" })).status).toBe(404);
    const wrong = await create("s-bad", { subject: "coding", problem_id: mathProblem().id });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/math problem/);
  });

  it("requires a track in track mode, and a known one of the same subject", async () => {
    const missing = await create("s-track", { subject: "coding", mode: "track" });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/track_id is required/);
    expect((await create("s-track", { subject: "coding", mode: "track", track_id: "nope" })).status).toBe(404);
    expect((await create("s-track", { subject: "coding", mode: "track", track_id: "math-foundations" })).status).toBe(400);
  });

  it("completes at once with a null problem when nothing is left", async () => {
    const { status, body } = await create("s-empty", { subject: "systems", mode: "track", track_id: "systems-design" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: "completed", problem_id: null });
  });

  it("rejects unknown fields' values with a 400 naming them", async () => {
    const bad = await create("s-bad", { subject: "coding", mode: "exam" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("mode");
  });
});

describe("reading sessions", () => {
  it("gets the caller's own session and hides others' as 404", async () => {
    const session = await openSession(app, "s-owner", codingProblem());
    expect((await http(`${app.url}/v1/sessions/${session.id}`, { headers: await app.authFor("s-owner") })).status).toBe(200);
    const foreign = await http<{ error: { code: string } }>(`${app.url}/v1/sessions/${session.id}`, {
      headers: await app.authFor("s-intruder"),
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("NOT_FOUND");
  });

  it("lists newest first with cursor paging and a status filter", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await openSession(app, "s-lister", codingProblem())).id);
    const headers = await app.authFor("s-lister");
    const first = await http<{ items: SessionBody[]; next_cursor: string | null }>(`${app.url}/v1/sessions?limit=2`, { headers });
    expect(first.body.items.map((s) => s.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await http<{ items: SessionBody[]; next_cursor: string | null }>(
      `${app.url}/v1/sessions?limit=2&cursor=${first.body.next_cursor}`,
      { headers },
    );
    expect(second.body.items.map((s) => s.id)).toEqual([ids[0]]);
    expect(second.body.next_cursor).toBeNull();
    const abandoned = await http<{ items: unknown[] }>(`${app.url}/v1/sessions?status=abandoned`, { headers });
    expect(abandoned.body.items).toEqual([]);
    expect((await http(`${app.url}/v1/sessions?cursor=garbage`, { headers })).status).toBe(400);
    expect((await http(`${app.url}/v1/sessions?limit=101`, { headers })).status).toBe(400);
  });
});

describe("updating a session", () => {
  const patch = async (user: string, id: string, action: string) =>
    http<SessionBody & { error: { code: string } }>(`${app.url}/v1/sessions/${id}`, {
      method: "PATCH",
      headers: await app.authFor(user),
      json: { action },
    });

  it("advance moves to another problem with hints reset; retry keeps it; giveup abandons", async () => {
    const problem = codingProblem();
    const session = await openSession(app, "s-flow", problem);
    const advanced = await patch("s-flow", session.id, "advance");
    expect(advanced.status).toBe(200);
    expect(advanced.body.problem_id).not.toBe(problem.id);
    expect(advanced.body.last_hint_level).toBe(0);
    const retried = await patch("s-flow", session.id, "retry");
    expect(retried.body.problem_id).toBe(advanced.body.problem_id);
    const gaveUp = await patch("s-flow", session.id, "giveup");
    expect(gaveUp.body.status).toBe("abandoned");
  });

  it("answers 409 for any action on a session that is not active", async () => {
    const session = await openSession(app, "s-ended", codingProblem());
    await patch("s-ended", session.id, "giveup");
    for (const action of ["advance", "retry", "giveup"]) {
      const response = await patch("s-ended", session.id, action);
      expect(response.status, action).toBe(409);
      expect(response.body.error.code).toBe("CONFLICT");
    }
  });

  it("lets only one of two racing give-ups through", async () => {
    const session = await openSession(app, "s-race", codingProblem());
    const results = await Promise.all([patch("s-race", session.id, "giveup"), patch("s-race", session.id, "giveup")]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it("answers 404 for someone else's session and 400 for an unknown action", async () => {
    const session = await openSession(app, "s-mine", codingProblem());
    expect((await patch("s-thief", session.id, "giveup")).status).toBe(404);
    expect((await patch("s-mine", session.id, "pause")).status).toBe(400);
  });
});

describe("sessions over tRPC", () => {
  it("creates, advances and reads with Dates", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor("s-trpc"));
    const session = await client.sessions.create.mutate({ subject: "math", mode: "practice" });
    expect(session.started_at).toBeInstanceOf(Date);
    const next = await client.sessions.update.mutate({ id: session.id, action: "advance" });
    expect(next.problem_id).not.toBe(session.problem_id);
    const page = await client.sessions.list.query({ limit: 5 });
    expect(page.items[0]!.id).toBe(session.id);
  });
});
