import { createCoClient, streamHint, type CoClient } from "@co/client-sdk";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { createSession, PROBLEM_ID, turnOf } from "./support/tutor-fixtures.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const clientFor = (userId: string): CoClient =>
  createCoClient({ baseUrl: app.url, getToken: () => app.tokenFor(userId), EventSource: EventSource as unknown as typeof globalThis.EventSource });

type Received = { id: string; type: string; data: unknown };

/** Raw `tutor.stream` events until the turn ends. */
function subscribeAll(client: CoClient, turnId: string, lastEventId: string | null = null): Promise<Received[]> {
  return new Promise((resolve, reject) => {
    const events: Received[] = [];
    const subscription = client.tutor.stream.subscribe(
      { turn_id: turnId, lastEventId },
      {
        onData: ({ id, data }) => {
          events.push({ id, type: data.type, data: data.data });
          if (data.type === "message.end" || data.type === "error") {
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
