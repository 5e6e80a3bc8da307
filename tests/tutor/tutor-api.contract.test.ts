import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TutorApiTutor } from "../../server/src/adapters/tutor/tutor-api-tutor.js";
import type { TutorChunk, TutorRequest } from "../../server/src/ports/tutor.js";
import { RequestScope } from "../../server/src/request-scope.js";
import { json, startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { sseFrame, startEventStream } from "./support/fake-llm.js";
import { collectSse, startTurn, streamUrlOn, textOf, turnOf } from "./support/tutor-fixtures.js";

let api: FakeNeighbour;
beforeAll(async () => {
  api = await startFakeNeighbour();
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.splice(0);
});

const request: TutorRequest = {
  turnId: "6b1f3c1e-0000-4000-8000-000000000002",
  problem: {
    id: "running-sum",
    subject: "coding",
    title: "Running Sum",
    statement: "Compute the running sums of a list.",
    type: "coding",
    topics: ["arrays"],
    hints: { "1": "h1", "2": "h2", "3": "h3" },
  },
  hintLevel: 1,
  instruction: "Give a gentle nudge.",
  lastEval: null,
  message: "Help?",
};

/** The chunks that carry something; `alive` signs of life are left out unless asked for. */
async function drain(iterable: AsyncIterable<TutorChunk>, options: { alive?: boolean } = {}): Promise<TutorChunk[]> {
  const chunks: TutorChunk[] = [];
  for await (const chunk of iterable) if (options.alive || chunk.type !== "alive") chunks.push(chunk);
  return chunks;
}

/** A Tutor API that creates turn `tok-1` and streams the §8.6 events given. */
function scriptTurn(frames: { event: string; data: unknown }[], token = "tok-1") {
  api.route("POST", "/turns", (_request, response) => json(response, 201, { token }));
  api.route("GET", `/turns/${token}/stream`, (_request, response) => {
    startEventStream(response);
    for (const [index, frame] of frames.entries()) sseFrame(response, { id: String(index + 1), event: frame.event, data: JSON.stringify(frame.data) });
    response.end();
  });
}

const requestScope = new RequestScope();
const tutor = () => new TutorApiTutor({ baseUrl: api.url, serviceToken: "svc-token", requestScope });

describe("Tutor API relay against a real SSE server", () => {
  it("creates a turn with context and instruction, then relays its deltas and end (start and pings dropped)", async () => {
    scriptTurn([
      { event: "message.start", data: { turn_id: "upstream-turn", hint_level: 1 } },
      { event: "message.delta", data: { content: "Look at " } },
      { event: "ping", data: {} },
      { event: "message.delta", data: { content: "the previous sum." } },
      { event: "message.end", data: { finish_reason: "stop", tokens: 12 } },
    ]);
    expect(await requestScope.run("req-tutor-api-1", () => drain(tutor().generate(request, new AbortController().signal)))).toEqual([
      { type: "delta", content: "Look at " },
      { type: "delta", content: "the previous sum." },
      { type: "end", finishReason: "stop", tokens: 12 },
    ]);
    const [created] = api.requestsTo("POST", "/turns");
    expect(created!.body).toMatchObject({
      stream: true,
      instruction: "Give a gentle nudge.",
      context: { hint_level: 1, problem: { id: "running-sum", statement: "Compute the running sums of a list." }, last_eval: null, message: "Help?" },
    });
    for (const sent of api.requests) {
      expect(sent.headers["x-service"]).toBe("curriculum-orchestrator");
      expect(sent.headers["x-request-id"]).toBe("req-tutor-api-1");
      expect(sent.headers.authorization).toBe("Bearer svc-token");
    }
    expect(api.requestsTo("GET", "/turns/tok-1/stream")[0]!.headers.accept).toBe("text/event-stream");
  });

  it("escapes the token in the stream path", async () => {
    api.route("POST", "/turns", (_request, response) => json(response, 201, { token: "a/b?c" }));
    api.route("GET", "/turns/a%2Fb%3Fc/stream", (_request, response) => {
      startEventStream(response);
      sseFrame(response, { event: "message.end", data: JSON.stringify({ finish_reason: "stop", tokens: null }) });
      response.end();
    });
    expect(await drain(tutor().generate(request, new AbortController().signal))).toEqual([{ type: "end", finishReason: "stop", tokens: null }]);
  });

  it("maps an error event to UPSTREAM_ERROR with only the upstream code", async () => {
    scriptTurn([
      { event: "message.delta", data: { content: "Partial" } },
      { event: "error", data: { code: "MODEL_DOWN", message: "stack at /opt/tutor/app.py" } },
    ]);
    const failure = await drain(tutor().generate(request, new AbortController().signal)).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "UPSTREAM_ERROR", details: { service: "tutor_api", upstream_code: "MODEL_DOWN" } });
    expect(JSON.stringify(failure)).not.toContain("/opt/tutor");
  });

  it.each([
    ["a failed turn creation", (response: ServerResponse) => json(response, 500, { error: "boom" })],
    ["a malformed turn", (response: ServerResponse) => json(response, 201, { id: 1 })],
  ])("maps %s to UPSTREAM_ERROR", async (_name, answer) => {
    api.route("POST", "/turns", (_request, response) => answer(response));
    await expect(drain(tutor().generate(request, new AbortController().signal))).rejects.toMatchObject({ code: "UPSTREAM_ERROR" });
  });

  it("maps a stream that ends without message.end to UPSTREAM_ERROR", async () => {
    scriptTurn([{ event: "message.delta", data: { content: "Half" } }]);
    await expect(drain(tutor().generate(request, new AbortController().signal))).rejects.toMatchObject({ code: "UPSTREAM_ERROR" });
  });
});

describe("the CO with CO_TUTOR_BASE set", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { CO_TUTOR_BASE: api.url, CO_SERVICE_TOKEN: "svc-token" } });
  });
  afterAll(() => app.close());

  it("relays the Tutor API's turn to the learner and stores it", async () => {
    scriptTurn([
      { event: "message.start", data: { turn_id: "upstream-turn", hint_level: 2 } },
      { event: "message.delta", data: { content: "Keep a running " } },
      { event: "message.delta", data: { content: "total." } },
      { event: "message.end", data: { finish_reason: "stop", tokens: 5 } },
    ]);
    const turn = await startTurn(app, "tutor-api-user", { hint_level: 2 });
    const { events } = await collectSse(streamUrlOn(app, turn));
    expect(events.map((event) => event.event)).toEqual(["message.start", "message.delta", "message.delta", "message.end"]);
    expect(events[0]!.data).toEqual({ turn_id: turn.turn_id, hint_level: 2 });
    expect(textOf(events)).toBe("Keep a running total.");
    expect(await turnOf(app, turn.turn_id)).toMatchObject({ status: "completed", tokens: 5, provider: "tutor-api" });
    expect(api.requestsTo("POST", "/turns")[0]!.body).toMatchObject({ instruction: expect.stringMatching(/conceptual/) });
  });
});
