import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mastery, problems, reviewQueue, sessions, tracks } from "../../server/src/db/schema/index.js";
import { SessionsRepository } from "../../server/src/repositories/sessions.repository.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import { codingProblem, mathProblem, openSession, type SessionBody } from "../support/learning.js";

let app: TestApp;

/** A systems track of its own (systems has few seeded problems), with essays of these difficulties. */
async function systemsTrack(slug: string, difficulties: number[]) {
  const db = app.db.handle.db;
  const [track] = await db
    .insert(tracks)
    .values({ slug, subject: "systems", title: slug, modules: [{ id: "only", title: "Only", outcomes: [] }] })
    .returning();
  if (difficulties.length === 0) return;
  await db.insert(problems).values(
    difficulties.map((difficulty, position) => ({
      id: `${slug}-${position}`,
      subject: "systems" as const,
      title: slug,
      statement: "Discuss.",
      difficulty,
      topics: [slug],
      trackId: track!.id,
      module: "only",
      position,
      kind: "essay" as const,
      hints: { "1": "a", "2": "b", "3": "c" },
      contentHash: "h",
    })),
  );
}

beforeAll(async () => {
  app = await startTestApp();
  await systemsTrack("systems-empty", []);
  await systemsTrack("systems-steep", [4]);
  await systemsTrack("systems-single", [1]);
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
    const { status, body } = await create("s-empty", { subject: "systems", mode: "track", track_id: "systems-empty" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: "completed", problem_id: null });
  });

  it("when every problem of the track is above a new learner's difficulty ceiling, completes instead of offering one", async () => {
    const { status, body } = await create("s-steep", { subject: "systems", mode: "track", track_id: "systems-steep" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: "completed", problem_id: null });
  });

  it("when a practice session names a track, it is not held to module order: it gets the subject-wide pick", async () => {
    const track = (await http<{ modules: { id: string }[] }>(`${app.url}/v1/tracks/coding-foundations`, {
      headers: await app.authFor("s-practice"),
    })).body;
    const withTrack = await create("s-practice", { subject: "coding", mode: "practice", track_id: "coding-foundations" });
    const without = await create("s-practice", { subject: "coding", mode: "practice" });
    expect(withTrack.status).toBe(201);
    expect(withTrack.body.problem_id).toBe(without.body.problem_id);
    const problem = (await http<{ module: string }>(`${app.url}/v1/problems/${withTrack.body.problem_id}`, {
      headers: await app.authFor("s-practice"),
    })).body;
    expect(problem.module).not.toBe(track.modules[0]!.id);
  });

  it("when a practice session names a track, a due review of that track comes first, one of another track does not", async () => {
    const due = (userId: string, problemId: string, track: string) =>
      app.db.handle.db
        .insert(reviewQueue)
        .values({ userId, problemId, subject: "coding", track, reason: "fail", nextDueAt: new Date(Date.now() - 60_000) });
    await due("s-review", "two-sum", "coding-foundations");
    await due("s-review-elsewhere", "two-sum", "another-track");
    const inTrack = await create("s-review", { subject: "coding", mode: "practice", track_id: "coding-foundations" });
    expect(inTrack.body.problem_id).toBe("two-sum");
    const elsewhere = await create("s-review-elsewhere", { subject: "coding", mode: "practice", track_id: "coding-foundations" });
    expect(elsewhere.body.problem_id).not.toBe("two-sum");
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

  it("when several sessions start in the same millisecond, paging returns every one of them once, newest first", async () => {
    const db = app.db.handle.db;
    const at = (micros: string) => sql`${`2026-03-01 10:00:00.123${micros}+00`}::timestamptz`;
    const row = { userId: "s-same-ms", subject: "coding" as const, mode: "practice" as const, problemId: codingProblem().id };
    // Three share the exact instant; two more fall in the same millisecond around them.
    const inserted = await db
      .insert(sessions)
      .values([
        { ...row, startedAt: at("100") },
        { ...row, startedAt: at("456") },
        { ...row, startedAt: at("456") },
        { ...row, startedAt: at("456") },
        { ...row, startedAt: at("900") },
      ])
      .returning({ id: sessions.id });
    const [early, ...rest] = inserted.map((r) => r.id);
    const late = rest.pop()!;
    const expected = [late, ...rest.sort().reverse(), early];

    const headers = await app.authFor("s-same-ms");
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : "limit=2";
      const response = await http<{ items: SessionBody[]; next_cursor: string | null }>(`${app.url}/v1/sessions?${query}`, { headers });
      seen.push(...response.body.items.map((s) => s.id));
      cursor = response.body.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(expected);
  });
});

describe("updating a session", () => {
  const patch = async (user: string, id: string, action: string) =>
    http<SessionBody & { error: { code: string } }>(`${app.url}/v1/sessions/${id}`, {
      method: "PATCH",
      headers: await app.authFor(user),
      json: { action },
    });

  /** As a tutor hint would: the session's hint level becomes `level`. */
  const raiseHintLevel = async (user: string, id: string, level: number) => {
    const raised = await new SessionsRepository(app.db.handle.db).updateIfActive(user, id, { lastHintLevel: level });
    expect(raised?.lastHintLevel).toBe(level);
  };

  it("advance moves to another problem with hints reset; retry keeps it; giveup abandons", async () => {
    const problem = codingProblem();
    const session = await openSession(app, "s-flow", problem);
    await raiseHintLevel("s-flow", session.id, 3);
    const advanced = await patch("s-flow", session.id, "advance");
    expect(advanced.status).toBe(200);
    expect(advanced.body.problem_id).not.toBe(problem.id);
    expect(advanced.body.last_hint_level).toBe(0);
    const retried = await patch("s-flow", session.id, "retry");
    expect(retried.body.problem_id).toBe(advanced.body.problem_id);
    const gaveUp = await patch("s-flow", session.id, "giveup");
    expect(gaveUp.body.status).toBe("abandoned");
  });

  it("when a learner retries after hints, the problem stays and the hint level goes back to 0", async () => {
    const problem = codingProblem();
    const session = await openSession(app, "s-retry", problem);
    await raiseHintLevel("s-retry", session.id, 2);
    const retried = await patch("s-retry", session.id, "retry");
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ problem_id: problem.id, last_hint_level: 0, status: "active" });
  });

  it("when nothing is left to advance to, the session completes with a null problem", async () => {
    const { body: session } = await create("s-last", { subject: "systems", mode: "track", track_id: "systems-single" });
    expect(session).toMatchObject({ status: "active", problem_id: "systems-single-0" });
    const advanced = await patch("s-last", session.id, "advance");
    expect(advanced.status).toBe(200);
    expect(advanced.body).toMatchObject({ status: "completed", problem_id: null, last_hint_level: 0 });
    expect((await patch("s-last", session.id, "advance")).status).toBe(409);
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

describe("recommendation weights from configuration", () => {
  it("when CO_WEIGHT_WEAKNESS is 0, a mastered topic no longer pushes its problem back", async () => {
    // binary-search is a new learner's first pick by id; full mastery of its topics makes it the least weak.
    await app.db.handle.db.insert(mastery).values(
      ["binary-search", "sorted-arrays"].map((keyId) => ({ userId: "s-weights", keyType: "topic" as const, keyId, score: 100, ema: 1 })),
    );
    const json = { subject: "coding", mode: "practice" };
    const weighted = await create("s-weights", json);
    expect(weighted.body.problem_id).not.toBe("binary-search");
    // Under the pass-rate bands, so only the weakness weight differs from the first pick by id.
    const indifferent = await startTestApp({ env: { CO_WEIGHT_WEAKNESS: "0", CO_PACING: "bands" }, db: app.db, redis: null });
    try {
      const response = await http<SessionBody>(`${indifferent.url}/v1/sessions`, {
        method: "POST",
        headers: await indifferent.authFor("s-weights"),
        json,
      });
      expect(response.body.problem_id).toBe("binary-search");
    } finally {
      await indifferent.close();
    }
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
