import { createCoClient, streamHint, type CoClient } from "@co/client-sdk";
import { EventSource } from "eventsource";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { chatCompletions } from "./support/fake-llm.js";
import { createSession, PROBLEM_ID, turnOf } from "./support/tutor-fixtures.js";

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

const clientFor = (userId: string, on: TestApp = app, baseUrl = on.url): CoClient =>
  createCoClient({ baseUrl, getToken: () => on.tokenFor(userId), EventSource: EventSource as unknown as typeof globalThis.EventSource });

/** The model sends `before`, waits until the returned function is called, then sends `after`. */
function holdModel(before: string[], after: string[]): () => void {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  llm.route("POST", "/chat/completions", chatCompletions({ deltas: [...before, ...after], hold: { after: before.length, until } }));
  return release;
}

/** A TCP relay on loopback in front of an app, whose open connections the test can cut. */
async function startRelay(target: TestApp) {
  const port = Number(new URL(target.url).port);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(port, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut: () => sockets.forEach((socket) => socket.destroy()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type Received = { id: string; type: string; data: unknown };

/** Raw `tutor.stream` events until the turn ends (or `count` arrived). */
function subscribeAll(
  client: CoClient,
  turnId: string,
  lastEventId: string | null = null,
  options: { count?: number; onEvent?: (event: Received) => void } = {},
): Promise<Received[]> {
  return new Promise((resolve, reject) => {
    const events: Received[] = [];
    const subscription = client.tutor.stream.subscribe(
      { turn_id: turnId, lastEventId },
      {
        onData: ({ id, data }) => {
          events.push({ id, type: data.type, data: data.data });
          options.onEvent?.(events.at(-1)!);
          if (data.type === "message.end" || data.type === "error" || events.length === options.count) {
            subscription.unsubscribe();
            resolve(events);
          }
        },
        onError: (error) => {
          subscription.unsubscribe();
          reject(error);
        },
      },
    );
  });
}

describe("the tutor.stream subscription through the client SDK", () => {
  it("streamHint yields the hint's deltas as an async iterable, ending at message.end", async () => {
    const client = clientFor("sdk-tutor");
    const sessionId = await createSession(app, "sdk-tutor");
    const { turn_id } = await client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 3 });
    const deltas: string[] = [];
    for await (const delta of streamHint(client, turn_id)) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.join("")).toContain("**Hint 3.**");
    expect((await turnOf(app, turn_id))!.content).toBe(deltas.join(""));
  });

  it("carries the same events as the SSE endpoint, as tracked ids, and resumes after lastEventId", async () => {
    const client = clientFor("sdk-resume");
    const sessionId = await createSession(app, "sdk-resume");
    const { turn_id } = await client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 2 });
    const all = await subscribeAll(client, turn_id);
    expect(all[0]).toMatchObject({ type: "message.start", data: { turn_id, hint_level: 2 } });
    expect(all.at(-1)!.type).toBe("message.end");
    const rest = await subscribeAll(client, turn_id, all[2]!.id);
    expect(rest).toEqual(all.slice(3));
    // streamHint resumes the same way: only the deltas after that event.
    const tail: string[] = [];
    for await (const delta of streamHint(client, turn_id, { lastEventId: all[2]!.id })) tail.push(delta);
    expect(tail).toEqual(all.slice(3).filter((event) => event.type === "message.delta").map((event) => (event.data as { content: string }).content));
  });

  it("resumes a live turn mid-answer after lastEventId with no gap and no duplicate", async () => {
    const release = holdModel(["Think ", "about "], ["the ", "previous ", "total."]);
    const client = clientFor("sdk-live-resume", held);
    const sessionId = await createSession(held, "sdk-live-resume");
    const { turn_id } = await client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    const first = await subscribeAll(client, turn_id, null, { count: 2 });
    expect(first.map((event) => event.type)).toEqual(["message.start", "message.delta"]);
    expect((await turnOf(held, turn_id))!.status).toBe("streaming");
    const rest = await subscribeAll(client, turn_id, first.at(-1)!.id, { onEvent: () => release() });
    const joined = [...first, ...rest];
    const text = joined.flatMap((event) => (event.type === "message.delta" ? [(event.data as { content: string }).content] : [])).join("");
    expect(text).toBe("Think about the previous total.");
    expect(new Set(joined.map((event) => event.id)).size).toBe(joined.length);
    expect(rest.at(-1)!.type).toBe("message.end");
    expect(await subscribeAll(client, turn_id)).toEqual(joined);
  });

  it("streamHint resumes by itself after its connection drops, with no gap and no duplicate", async () => {
    const relay = await startRelay(held);
    try {
      const release = holdModel(["Think ", "about "], ["the ", "previous ", "total."]);
      const client = clientFor("sdk-dropped", held, relay.url);
      const sessionId = await createSession(held, "sdk-dropped");
      const { turn_id } = await client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
      const deltas: string[] = [];
      for await (const delta of streamHint(client, turn_id)) {
        deltas.push(delta);
        // The first delta arrives, then the connection is cut; the rest is sent only once the client is back.
        if (deltas.length === 1) relay.cut();
        if (deltas.length === 2) release();
      }
      expect(deltas.join("")).toBe("Think about the previous total.");
      expect((await turnOf(held, turn_id))!.status).toBe("completed");
    } finally {
      relay.cut();
      await relay.close();
    }
  });

  it("a resume after message.end completes at once with no events, and streamHint yields nothing", async () => {
    const client = clientFor("sdk-after-end");
    const sessionId = await createSession(app, "sdk-after-end");
    const { turn_id } = await client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    const all = await subscribeAll(client, turn_id);
    const endId = all.at(-1)!.id;
    const after = await new Promise<unknown[]>((resolve, reject) => {
      const events: unknown[] = [];
      client.tutor.stream.subscribe({ turn_id, lastEventId: endId }, { onData: (event) => events.push(event), onComplete: () => resolve(events), onError: reject });
    });
    expect(after).toEqual([]);
    const deltas: string[] = [];
    for await (const delta of streamHint(client, turn_id, { lastEventId: endId })) deltas.push(delta);
    expect(deltas).toEqual([]);
  });

  it("when the turn is someone else's, the stream fails with NOT_FOUND", async () => {
    const owner = clientFor("sdk-owner");
    const sessionId = await createSession(app, "sdk-owner");
    const { turn_id } = await owner.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    const iterate = async () => {
      for await (const _ of streamHint(clientFor("sdk-intruder"), turn_id)) void _;
    };
    await expect(iterate()).rejects.toMatchObject({ data: { app_code: "NOT_FOUND" } });
  });

  it("stops when its signal aborts", async () => {
    const client = clientFor("sdk-abort");
    const sessionId = await createSession(app, "sdk-abort");
    const { turn_id } = await client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    const controller = new AbortController();
    const iterate = async () => {
      for await (const _ of streamHint(client, turn_id, { signal: controller.signal })) controller.abort(new Error("stopped by the reader"));
    };
    await expect(iterate()).rejects.toThrow("stopped by the reader");
  });
});
