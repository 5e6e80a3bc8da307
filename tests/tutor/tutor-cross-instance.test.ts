import { createCoClient, streamHint } from "@co/client-sdk";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { createTestDatabase, createTestRedis, testServices, type TestDatabase, type TestRedis } from "../support/test-infra.js";
import { chatCompletions } from "./support/fake-llm.js";
import { askForHint, collectSse, createSession, PROBLEM_ID, streamUrlOn, textOf } from "./support/tutor-fixtures.js";

/**
 * Two instances on one PostgreSQL and one Redis, as behind a load balancer: each with
 * connections of its own to the same database and key prefix, so nothing is shared in-process.
 */
describe.runIf(testServices.redisUrl && testServices.dbUrl)("the tutor across instances", () => {
  let llm: FakeNeighbour;
  let db: TestDatabase;
  let redis: TestRedis;
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    llm = await startFakeNeighbour();
    db = await createTestDatabase();
    redis = (await createTestRedis())!;
    const env = { CO_TUTOR_PROVIDER: "openai", CO_OPENAI_BASE: llm.url, CO_MAX_CONCURRENT_SSE: "1" };
    a = await startTestApp({ env, connectTo: { db, redis } });
    b = await startTestApp({ env, connectTo: { db, redis } });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await redis.dispose();
    await db.dispose();
    await llm.close();
  });

  /** The model sends `before`, waits for the test, then sends `after`. */
  function holdModel(before: string[], after: string[]) {
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    llm.route("POST", "/chat/completions", chatCompletions({ deltas: [...before, ...after], hold: { after: before.length, until } }));
    return release;
  }

  it("streams a turn created on instance A from instance B, and resumes on A where B left off", async () => {
    const release = holdModel(["Think ", "about "], ["the ", "previous ", "total."]);
    const sessionId = await createSession(a, "cross-user");
    const created = await askForHint(a, "cross-user", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    expect(created.status).toBe(202);
    const firstPart = await collectSse(streamUrlOn(b, created.body), { stopAfter: 3 });
    expect(firstPart.events.map((event) => event.event)).toEqual(["message.start", "message.delta", "message.delta"]);
    release();
    const rest = await collectSse(streamUrlOn(a, created.body), { headers: { "last-event-id": firstPart.events.at(-1)!.id! } });
    expect(textOf([...firstPart.events, ...rest.events])).toBe("Think about the previous total.");
    expect(rest.events.at(-1)!.event).toBe("message.end");
    const whole = await collectSse(streamUrlOn(b, created.body));
    expect(whole.events).toEqual([...firstPart.events, ...rest.events]);
  });

  it("holds the per-user cap across both instances", async () => {
    const release = holdModel(["a"], ["b"]);
    const body = { session_id: await createSession(a, "cross-cap"), problem_id: PROBLEM_ID, hint_level: 1 };
    const onA = await askForHint(a, "cross-cap", body);
    expect(onA.status).toBe(202);
    const onB = await askForHint(b, "cross-cap", body);
    expect(onB.status).toBe(429);
    expect(onB.body.error).toMatchObject({ code: "MAX_STREAMS", details: { max_streams: 1, active: 1 } });
    release();
    await collectSse(streamUrlOn(b, onA.body));
    expect((await askForHint(b, "cross-cap", body)).status).toBe(202);
  });

  it("serves the tRPC subscription on B for a turn generated on A", async () => {
    const release = holdModel(["Keep "], ["going."]);
    const client = (app: TestApp) =>
      createCoClient({ baseUrl: app.url, getToken: () => app.tokenFor("cross-sdk"), EventSource: EventSource as unknown as typeof globalThis.EventSource });
    const sessionId = await createSession(a, "cross-sdk");
    const { turn_id } = await client(a).tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 2 });
    const deltas: string[] = [];
    for await (const delta of streamHint(client(b), turn_id)) {
      deltas.push(delta);
      if (deltas.length === 1) release();
    }
    expect(deltas.join("")).toBe("Keep going.");
  });

  it("when a reading instance shuts down, its reader gets SHUTDOWN without a new id and resumes on the other instance", async () => {
    const c = await startTestApp({ env: { CO_TUTOR_PROVIDER: "openai", CO_OPENAI_BASE: llm.url, CO_MAX_CONCURRENT_SSE: "1" }, connectTo: { db, redis } });
    try {
      const release = holdModel(["one "], ["two"]);
      const sessionId = await createSession(a, "cross-shutdown");
      const created = await askForHint(a, "cross-shutdown", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
      let firstDelta!: () => void;
      const deltaSeen = new Promise<void>((resolve) => (firstDelta = resolve));
      const reading = collectSse(streamUrlOn(c, created.body), { onEvent: (event) => event.event === "message.delta" && firstDelta() });
      await deltaSeen;
      await c.deps.services.tutor.shutdown();
      const { events } = await reading;
      // No `id:` of its own: the client's last event id (carried over, as EventSource does) stays the last real event.
      expect(events.at(-1)).toMatchObject({ event: "error", data: { code: "SHUTDOWN" } });
      expect(events.map((event) => event.event)).toEqual(["message.start", "message.delta", "error"]);
      expect(events.at(-1)!.id).toBe(events.at(-2)!.id);
      release();
      const lastId = events.at(-1)!.id!;
      const rest = await collectSse(streamUrlOn(a, created.body), { headers: { "last-event-id": lastId } });
      expect(textOf([...events, ...rest.events])).toBe("one two");
      // A, which generates the turn, was not affected.
      expect(rest.events.at(-1)!.event).toBe("message.end");
    } finally {
      await c.close();
    }
  });
});
