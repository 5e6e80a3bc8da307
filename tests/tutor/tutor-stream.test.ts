import express from "express";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createStreamTokens, deriveStreamTokenSecret } from "../../server/src/auth/stream-token.js";
import { tutorStreamRoute } from "../../server/src/http/tutor-stream.route.js";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { http, startTestApp, TEST_JWT_SECRET, type TestApp } from "../support/test-app.js";
import { chatCompletions } from "./support/fake-llm.js";
import { collectSse, idsIncrease, startTurn, streamUrlOn, textOf, turnOf } from "./support/tutor-fixtures.js";

let app: TestApp;
/** The same database with an OpenAI-compatible model the test holds mid-answer. */
let held: TestApp;
let llm: FakeNeighbour;
beforeAll(async () => {
  app = await startTestApp();
  llm = await startFakeNeighbour();
  held = await startTestApp({ env: { CO_TUTOR_PROVIDER: "openai", CO_OPENAI_BASE: llm.url }, db: app.db, redis: app.redis });
});
afterAll(async () => {
  await held.close();
  await app.close();
  await llm.close();
});

/** The model sends `before`, waits until the returned function is called, then sends `after`. */
function holdModel(before: string[], after: string[]): () => void {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  llm.route("POST", "/chat/completions", chatCompletions({ deltas: [...before, ...after], hold: { after: before.length, until } }));
  return release;
}

describe("GET /v1/tutor/stream", () => {
  it("streams message.start, the deltas and message.end as text/event-stream with increasing ids", async () => {
    const turn = await startTurn(app, "stream-happy", { hint_level: 2 });
    expect(turn.stream_url).toBe(`${app.config.publicBaseUrl}/v1/tutor/stream?token=${encodeURIComponent(turn.token)}`);
    const { status, contentType, events } = await collectSse(`${app.url}/v1/tutor/stream?token=${turn.token}`);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/event-stream/);
    expect(events[0]).toMatchObject({ event: "message.start", data: { turn_id: turn.turn_id, hint_level: 2 } });
    expect(events.at(-1)).toMatchObject({ event: "message.end", data: { finish_reason: "stop" } });
    expect(events.filter((event) => event.event === "message.delta").length).toBeGreaterThan(0);
    expect(idsIncrease(events.map((event) => event.id!))).toBe(true);
    // The local ladder: hints up to the level, never above it.
    const text = textOf(events);
    expect(text).toContain("**Hint 1.**");
    expect(text).toContain("**Hint 2.**");
    expect(text).not.toContain("**Hint 3.**");
  });

  it("stores the turn's content, tokens and status once it ends", async () => {
    const turn = await startTurn(app, "stream-stored");
    const { events } = await collectSse(`${app.url}/v1/tutor/stream?token=${turn.token}`);
    const stored = await turnOf(app, turn.turn_id);
    expect(stored).toMatchObject({ status: "completed", content: textOf(events), provider: "local", hintLevel: 1 });
    expect(stored!.tokens).toBe(events.at(-1)!.data.tokens);
    expect(stored!.finishedAt).toBeInstanceOf(Date);
  });

  it("resumes after Last-Event-ID with no gap and no duplicate", async () => {
    const turn = await startTurn(app, "stream-resume", { hint_level: 3 });
    const url = `${app.url}/v1/tutor/stream?token=${turn.token}`;
    const whole = await collectSse(url);
    const first = await collectSse(url, { stopAfter: 2 });
    const rest = await collectSse(url, { headers: { "last-event-id": first.events.at(-1)!.id! } });
    expect([...first.events, ...rest.events]).toEqual(whole.events);
    // The query parameter works too, for clients that cannot set the header.
    const viaQuery = await collectSse(`${url}&lastEventId=${first.events.at(-1)!.id!}`);
    expect(viaQuery.events).toEqual(rest.events);
  });

  it("resumes a live turn mid-answer after Last-Event-ID with no gap and no duplicate", async () => {
    const release = holdModel(["Think ", "about "], ["the ", "previous ", "total."]);
    const turn = await startTurn(held, "stream-live-resume");
    const url = streamUrlOn(held, turn);
    const first = await collectSse(url, { stopAfter: 2 });
    expect(first.events.map((event) => event.event)).toEqual(["message.start", "message.delta"]);
    // The model is held: the turn is still being generated while the client comes back.
    expect((await turnOf(held, turn.turn_id))!.status).toBe("streaming");
    const rest = await collectSse(url, { headers: { "last-event-id": first.events.at(-1)!.id! }, onEvent: () => release() });
    const joined = [...first.events, ...rest.events];
    expect(textOf(joined)).toBe("Think about the previous total.");
    expect(idsIncrease(joined.map((event) => event.id!))).toBe(true);
    expect(rest.events.at(-1)!.event).toBe("message.end");
    expect((await collectSse(url)).events).toEqual(joined);
  });

  it("finishes and stores a turn that no reader ever connects to", async () => {
    const turn = await startTurn(app, "stream-no-reader", { hint_level: 2 });
    await vi.waitFor(async () => expect((await turnOf(app, turn.turn_id))!.status).toBe("completed"), { timeout: 10_000, interval: 50 });
    const { events } = await collectSse(`${app.url}/v1/tutor/stream?token=${turn.token}`);
    expect(events.at(-1)!.event).toBe("message.end");
    expect((await turnOf(app, turn.turn_id))!.content).toBe(textOf(events));
  });

  it("answers 401 in the envelope for a missing, forged or expired token", async () => {
    const turn = await startTurn(app, "stream-401");
    const missing = await http<{ error: { code: string } }>(`${app.url}/v1/tutor/stream`);
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe("UNAUTHORIZED");
    const forged = createStreamTokens("a-different-secret-that-is-long-enough-000");
    const bad = await http<{ error: { code: string } }>(
      `${app.url}/v1/tutor/stream?token=${await forged.sign({ userId: "stream-401", turnId: turn.turn_id })}`,
    );
    expect(bad.status).toBe(401);
    const expired = createStreamTokens(deriveStreamTokenSecret(TEST_JWT_SECRET), -10);
    const old = await http<{ error: { message: string } }>(
      `${app.url}/v1/tutor/stream?token=${await expired.sign({ userId: "stream-401", turnId: turn.turn_id })}`,
    );
    expect(old.status).toBe(401);
    expect(old.body.error.message).toMatch(/expired/);
  });

  it("refuses a user's bearer JWT as a stream token, and a stream token as a bearer JWT", async () => {
    const turn = await startTurn(app, "stream-swap");
    const bearer = await app.tokenFor("stream-swap");
    expect((await http(`${app.url}/v1/tutor/stream?token=${bearer}`)).status).toBe(401);
    expect((await http(`${app.url}/v1/mastery`, { headers: { authorization: `Bearer ${turn.token}` } })).status).toBe(401);
  });

  it("answers 400 for a Last-Event-ID that is no id of the stream", async () => {
    const turn = await startTurn(app, "stream-bad-id");
    const response = await http<{ error: { code: string } }>(`${app.url}/v1/tutor/stream?token=${turn.token}`, {
      headers: { "last-event-id": "not-an-id" },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("VALIDATION_ERROR");
  });

  it("is rate limited like every call, with RateLimit headers", async () => {
    const turn = await startTurn(app, "stream-limited");
    const response = await collectSse(`${app.url}/v1/tutor/stream?token=${turn.token}`);
    expect(response.status).toBe(200);
    const limited = await startTestApp({ env: { CO_RATE_LIMIT_REQUESTS: "1" }, db: app.db, redis: null });
    try {
      const other = await startTurn(limited, "stream-limited-2");
      const refused = await http<{ error: { code: string } }>(`${limited.url}/v1/tutor/stream?token=${other.token}`);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe("RATE_LIMITED");
      expect(refused.headers.get("retry-after")).toBeTruthy();
    } finally {
      await limited.close();
    }
  });

  it("sends a ping while a live turn is idle", async () => {
    // The same route and service with a short ping interval, on a bare Express app.
    const bare = express();
    bare.get("/stream", tutorStreamRoute(held.deps, { pingIntervalMs: 20 }));
    const server = bare.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const release = holdModel([], ["Done."]);
    try {
      const turn = await startTurn(held, "stream-ping");
      const port = (server.address() as AddressInfo).port;
      const idle = await collectSse(`http://127.0.0.1:${port}/stream?token=${turn.token}`, { skipPings: false, stopAfter: 3 });
      expect(idle.events.map((event) => event.event)).toEqual(["message.start", "ping", "ping"]);
    } finally {
      release();
      server.closeAllConnections();
      server.close();
    }
  });

  it("answers 204 No Content to a reconnect after the closing event, so an EventSource stops reconnecting", async () => {
    const turn = await startTurn(app, "stream-after-end");
    const url = `${app.url}/v1/tutor/stream?token=${turn.token}`;
    const whole = await collectSse(url);
    expect(whole.events.at(-1)!.event).toBe("message.end");
    const again = await fetch(url, { headers: { accept: "text/event-stream", "last-event-id": whole.events.at(-1)!.id! } });
    expect(again.status).toBe(204);
    expect(await again.text()).toBe("");
    // A finished turn still replays what follows an earlier id, then ends.
    const tail = await collectSse(url, { headers: { "last-event-id": whole.events.at(-2)!.id! } });
    expect(tail.events).toEqual([whole.events.at(-1)]);
  });

  it("is documented in /openapi.json beside POST /v1/tutor/messages (202)", async () => {
    type Operation = { responses: Record<string, { content?: Record<string, unknown> }>; parameters?: { name: string }[] };
    const { body } = await http<{ paths: Record<string, Record<string, Operation>> }>(`${app.url}/openapi.json`);
    expect(Object.keys(body.paths["/v1/tutor/messages"]!.post!.responses)).toContain("202");
    const stream = body.paths["/v1/tutor/stream"]!.get!;
    expect(Object.keys(stream.responses["200"]!.content!)).toEqual(["text/event-stream"]);
    expect(stream.parameters!.map((parameter) => parameter.name)).toEqual(["token", "Last-Event-ID", "lastEventId"]);
  });
});
