import { createCoClient, streamHint, TutorStreamError } from "@co/client-sdk";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { chatCompletions, type ChatScript } from "./support/fake-llm.js";
import { askForHint, collectSse, startTurn, streamUrlOn, textOf, turnOf } from "./support/tutor-fixtures.js";

let llm: FakeNeighbour;
let app: TestApp;
beforeAll(async () => {
  llm = await startFakeNeighbour();
  // One slot per user: a slot not given back would refuse the next request.
  app = await startTestApp({
    env: { CO_TUTOR_PROVIDER: "openai", CO_OPENAI_BASE: llm.url, CO_TUTOR_TIMEOUT_MS: "300", CO_MAX_CONCURRENT_SSE: "1" },
  });
});
afterAll(async () => {
  await app.close();
  await llm.close();
});

const model = (script: ChatScript) => llm.route("POST", "/chat/completions", chatCompletions(script));

async function expectSlotFree(userId: string, sessionId: string) {
  model({ deltas: ["ok"] });
  const next = await askForHint(app, userId, { session_id: sessionId, problem_id: "running-sum", hint_level: 1 });
  expect(next.status).toBe(202);
  await collectSse(streamUrlOn(app, next.body));
}

describe("when the provider fails", () => {
  it("mid-stream: the learner gets the deltas so far, then an error event; the turn is failed with its partial content; the slot is free", async () => {
    model({ deltas: ["one ", "two ", "three"], breakAfter: 2 });
    const turn = await startTurn(app, "fail-mid");
    const { events } = await collectSse(streamUrlOn(app, turn));
    expect(events.map((event) => event.event)).toEqual(["message.start", "message.delta", "message.delta", "error"]);
    expect(events.at(-1)!.data).toMatchObject({ code: "UPSTREAM_ERROR" });
    expect(await turnOf(app, turn.turn_id)).toMatchObject({ status: "failed", content: "one two " });
    await expectSlotFree("fail-mid", turn.sessionId);
  });

  it("role-only, empty and comment keep-alives for longer than CO_TUTOR_TIMEOUT_MS keep the turn alive until the content comes", async () => {
    // 15 messages 60 ms apart: three times the 300 ms time-out before the first content.
    model({ deltas: ["Finally ", "an answer."], keepAlive: { count: 15, everyMs: 60 } });
    const turn = await startTurn(app, "keep-alive");
    const { events } = await collectSse(streamUrlOn(app, turn));
    expect(events.at(-1)).toMatchObject({ event: "message.end", data: { finish_reason: "stop" } });
    expect(textOf(events)).toBe("Finally an answer.");
    expect((await turnOf(app, turn.turn_id))!.status).toBe("completed");
  });

  it("with an error status: an error event with UPSTREAM_ERROR", async () => {
    model({ deltas: [], status: 502 });
    const turn = await startTurn(app, "fail-status");
    const { events } = await collectSse(streamUrlOn(app, turn));
    expect(events.at(-1)).toMatchObject({ event: "error", data: { code: "UPSTREAM_ERROR", message: expect.stringMatching(/status 502/) } });
    expect((await turnOf(app, turn.turn_id))!.status).toBe("failed");
  });

  it("with no first byte within CO_TUTOR_TIMEOUT_MS: an error event with UPSTREAM_TIMEOUT, and the slot is free", async () => {
    model({ deltas: ["never"], silent: true });
    const turn = await startTurn(app, "fail-silent");
    const { events } = await collectSse(streamUrlOn(app, turn));
    expect(events.map((event) => event.event)).toEqual(["message.start", "error"]);
    expect(events[1]!.data).toEqual({ code: "UPSTREAM_TIMEOUT", message: "The tutor did not answer within 300 ms" });
    expect(await turnOf(app, turn.turn_id)).toMatchObject({ status: "failed", content: "" });
    await expectSlotFree("fail-silent", turn.sessionId);
  });

  it("when it stalls after the first delta: UPSTREAM_TIMEOUT as well", async () => {
    model({ deltas: ["first ", "second"], hold: { after: 1, until: new Promise(() => {}) } });
    const turn = await startTurn(app, "fail-stall");
    const { events } = await collectSse(streamUrlOn(app, turn));
    expect(textOf(events)).toBe("first ");
    expect(events.at(-1)).toMatchObject({ event: "error", data: { code: "UPSTREAM_TIMEOUT" } });
  });

  it("the SDK's iterator throws a TutorStreamError with the code", async () => {
    model({ deltas: ["x"], silent: true });
    const turn = await startTurn(app, "fail-sdk");
    const client = createCoClient({
      baseUrl: app.url,
      getToken: () => app.tokenFor("fail-sdk"),
      EventSource: EventSource as unknown as typeof globalThis.EventSource,
    });
    const iterate = async () => {
      for await (const _ of streamHint(client, turn.turn_id)) void _;
    };
    const failure = await iterate().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TutorStreamError);
    expect(failure).toMatchObject({ code: "UPSTREAM_TIMEOUT" });
  });
});
