import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submissions, tutorTurns } from "../../server/src/db/schema/index.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import { askForHint, collectSse, createSession, PROBLEM_ID, sessionOf, textOf, turnOf } from "./support/tutor-fixtures.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const turnsOfUser = async (userId: string) =>
  (await app.db.handle.db.select({ n: count() }).from(tutorTurns).where(eq(tutorTurns.userId, userId)))[0]!.n;

describe("POST /v1/tutor/messages", () => {
  it("when a learner asks for a hint, answers 202 with the stream URL, records the turn and sets the session's hint level", async () => {
    const sessionId = await createSession(app, "hint-happy");
    const created = await askForHint(app, "hint-happy", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 2, message: "Where do I start?" });
    expect(created.status).toBe(202);
    expect(created.body).toEqual({ stream_url: expect.stringContaining("/v1/tutor/stream?token="), token: expect.any(String), turn_id: expect.any(String) });
    const turn = await turnOf(app, created.body.turn_id);
    expect(turn).toMatchObject({ userId: "hint-happy", sessionId, problemId: PROBLEM_ID, hintLevel: 2, provider: "local" });
    expect((await sessionOf(app, sessionId)).lastHintLevel).toBe(2);
  });

  it("works the same over tRPC", async () => {
    const sessionId = await createSession(app, "hint-trpc");
    const client = createTrpcClient(app.url, await app.tokenFor("hint-trpc"));
    const created = await client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 3 });
    expect(created.turn_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await sessionOf(app, sessionId)).lastHintLevel).toBe(3);
  });

  it("when the session is someone else's or unknown, answers 404 and writes nothing", async () => {
    const sessionId = await createSession(app, "hint-owner");
    const other = await askForHint(app, "hint-intruder", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe("NOT_FOUND");
    const unknown = await askForHint(app, "hint-intruder", { session_id: crypto.randomUUID(), problem_id: PROBLEM_ID, hint_level: 1 });
    expect(unknown.status).toBe(404);
    expect(await turnsOfUser("hint-intruder")).toBe(0);
    expect((await sessionOf(app, sessionId)).lastHintLevel).toBe(0);
  });

  it("when the session is not active, or on another problem, answers 409", async () => {
    const done = await createSession(app, "hint-409", { status: "completed" });
    const inactive = await askForHint(app, "hint-409", { session_id: done, problem_id: PROBLEM_ID, hint_level: 1 });
    expect(inactive.status).toBe(409);
    expect(inactive.body.error.code).toBe("CONFLICT");
    const active = await createSession(app, "hint-409");
    const elsewhere = await askForHint(app, "hint-409", { session_id: active, problem_id: "two-sum", hint_level: 1 });
    expect(elsewhere.status).toBe(409);
    expect(await turnsOfUser("hint-409")).toBe(0);
  });

  it("when the task is not the caller's, answers 404 and records neither the turn nor the hint level", async () => {
    const sessionId = await createSession(app, "hint-task");
    const response = await askForHint(app, "hint-task", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 2, task_id: crypto.randomUUID() });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toMatch(/Study task/);
    expect(await turnsOfUser("hint-task")).toBe(0);
    expect((await sessionOf(app, sessionId)).lastHintLevel).toBe(0);
    // The slot was given back: the next request is not refused for streams.
    const next = await askForHint(app, "hint-task", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    expect(next.status).toBe(202);
  });

  it("with the caller's study task, counts the hint on the task and appends a hint_requested event", async () => {
    const headers = await app.authFor("hint-task-owner");
    const path = await http(`${app.url}/v1/study-paths`, { method: "POST", headers, json: { track_id: "coding-foundations", initial_tasks: 1 } });
    expect(path.status).toBe(201);
    const next = await http<{ id: string; problem_id: string; hints_used: number }>(`${app.url}/v1/study-tasks/next`, { headers });
    expect(next.status).toBe(200);
    const sessionId = await createSession(app, "hint-task-owner", { problemId: next.body.problem_id });
    const created = await askForHint(app, "hint-task-owner", {
      session_id: sessionId,
      problem_id: next.body.problem_id,
      hint_level: 2,
      task_id: next.body.id,
    });
    expect(created.status).toBe(202);
    const events = await http<{ items: { event_type: string; payload: Record<string, unknown> }[] }>(
      `${app.url}/v1/study-tasks/${next.body.id}/events`,
      { headers },
    );
    expect(events.body.items.find((event) => event.event_type === "hint_requested")?.payload).toMatchObject({ hint_level: 2, turn_id: created.body.turn_id });
    const tasks = await http<{ items: { id: string; hints_used: number }[] }>(`${app.url}/v1/study-tasks`, { headers });
    expect(tasks.body.items.find((task) => task.id === next.body.id)!.hints_used).toBe(next.body.hints_used + 1);
    // Someone else's task is unknown to this learner.
    const intruderSession = await createSession(app, "hint-task-intruder", { problemId: next.body.problem_id });
    const intruder = await askForHint(app, "hint-task-intruder", {
      session_id: intruderSession,
      problem_id: next.body.problem_id,
      hint_level: 1,
      task_id: next.body.id,
    });
    expect(intruder.status).toBe(404);
  });

  it("validates the level (400) and the message size (413, counted in UTF-8 bytes)", async () => {
    const sessionId = await createSession(app, "hint-invalid");
    const level = await askForHint(app, "hint-invalid", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 4 });
    expect(level.status).toBe(400);
    expect(level.body.error.code).toBe("VALIDATION_ERROR");
    // 2,100 characters, 4,200 bytes.
    const long = await askForHint(app, "hint-invalid", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1, message: "é".repeat(2100) });
    expect(long.status).toBe(413);
    expect(long.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const client = createTrpcClient(app.url, await app.tokenFor("hint-invalid"));
    await expect(
      client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1, message: "x".repeat(4097) }),
    ).rejects.toMatchObject({ data: { app_code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } });
    expect(await turnsOfUser("hint-invalid")).toBe(0);
  });

  it("needs a bearer token", async () => {
    const response = await fetch(`${app.url}/v1/tutor/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session_id: crypto.randomUUID(), problem_id: PROBLEM_ID, hint_level: 1 }),
    });
    expect(response.status).toBe(401);
  });
});

describe("the local hint ladder", () => {
  it("tailors the hint to the newest stored evaluation of the session's problem", async () => {
    const sessionId = await createSession(app, "ladder-stored");
    await app.db.handle.db.insert(submissions).values({
      sessionId,
      userId: "ladder-stored",
      problemId: PROBLEM_ID,
      subject: "coding",
      language: "python",
      status: "failed",
      categories: ["edge_cases"],
      details: [
        { input: [[1, 2]], expected: [1, 3], actual: [1, 3], passed: true },
        { input: [[5, -5]], expected: [5, 0], actual: [5, 5], passed: false },
      ],
      payloadSha256: "0".repeat(64),
    });
    const created = await askForHint(app, "ladder-stored", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    const { events } = await collectSse(created.body.stream_url.replace(app.config.publicBaseUrl, app.url));
    const text = textOf(events);
    expect(text).toContain("**Hint 1.**");
    expect(text).toMatch(/edges/);
    expect(text).toContain("[[5,-5]]");
  });

  it("prefers the evaluation sent with the request", async () => {
    const sessionId = await createSession(app, "ladder-request");
    const created = await askForHint(app, "ladder-request", {
      session_id: sessionId,
      problem_id: PROBLEM_ID,
      hint_level: 1,
      last_eval: { status: "timeout", categories: ["timeout"] },
    });
    const { events } = await collectSse(`${app.url}/v1/tutor/stream?token=${created.body.token}`);
    expect(textOf(events)).toMatch(/ran out of time/);
  });
});
