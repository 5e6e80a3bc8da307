import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { OpenAiTutor } from "../../server/src/adapters/tutor/openai-tutor.js";
import type { TutorChunk, TutorRequest } from "../../server/src/ports/tutor.js";
import { RequestScope } from "../../server/src/request-scope.js";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { chatCompletions, sseFrame, startEventStream } from "./support/fake-llm.js";
import { collectSse, MATH_PROBLEM_ID, startTurn, streamUrlOn, textOf, turnOf } from "./support/tutor-fixtures.js";

let llm: FakeNeighbour;
beforeAll(async () => {
  llm = await startFakeNeighbour();
});
afterAll(() => llm.close());

const request: TutorRequest = {
  turnId: "6b1f3c1e-0000-4000-8000-000000000001",
  problem: {
    id: "running-sum",
    subject: "coding",
    title: "Running Sum",
    statement: "Compute the running sums of a list.",
    type: "coding",
    topics: ["arrays"],
    hints: { "1": "h1", "2": "h2", "3": "h3" },
  },
  hintLevel: 2,
  instruction: "Give conceptual guidance.",
  lastEval: { status: "failed", categories: ["edge_cases"], firstFailure: { input: [[5, -5]], expected: [5, 0], actual: [5, 5] } },
  message: "Why does my answer drift?",
};

/** The chunks that carry something; `alive` signs of life are left out unless asked for. */
async function drain(iterable: AsyncIterable<TutorChunk>, options: { alive?: boolean } = {}): Promise<TutorChunk[]> {
  const chunks: TutorChunk[] = [];
  for await (const chunk of iterable) if (options.alive || chunk.type !== "alive") chunks.push(chunk);
  return chunks;
}

const requestScope = new RequestScope();
const tutor = () => new OpenAiTutor({ baseUrl: `${llm.url}/v1/`, model: "test-model", apiKey: "sk-test-key", requestScope });
const signal = () => new AbortController().signal;

describe("OpenAI-compatible tutor against a streaming chat-completions server", () => {
  afterEach(() => llm.requests.splice(0));

  it("posts a streaming chat completion with the statement, the level's instruction, the last evaluation and the message", async () => {
    llm.route("POST", "/v1/chat/completions", chatCompletions({ deltas: ["Think ", "about ", "negatives."], completionTokens: 7 }));
    const chunks = await requestScope.run("req-openai-1", () => drain(tutor().generate(request, signal())));
    expect(chunks).toEqual([
      { type: "delta", content: "Think " },
      { type: "delta", content: "about " },
      { type: "delta", content: "negatives." },
      { type: "end", finishReason: "stop", tokens: 7 },
    ]);
    const [sent] = llm.requestsTo("POST", "/v1/chat/completions");
    expect(sent!.headers.authorization).toBe("Bearer sk-test-key");
    expect(sent!.headers["x-request-id"]).toBe("req-openai-1");
    const body = sent!.body as { model: string; stream: boolean; messages: { role: string; content: string }[] };
    // A bound on the answer's length, so a runaway model cannot stream without end.
    expect(body).toMatchObject({ model: "test-model", stream: true, max_tokens: 1024 });
    const prompt = body.messages.map((message) => message.content).join("\n");
    expect(body.messages[0]!.role).toBe("system");
    expect(prompt).toContain("Compute the running sums of a list.");
    expect(prompt).toContain("Give conceptual guidance.");
    expect(prompt).toContain("edge_cases");
    expect(prompt).toContain("[[5,-5]]");
    expect(prompt).toContain("Why does my answer drift?");
  });

  it("gives null tokens when the server sends no usage, and ends on finish_reason when [DONE] never comes", async () => {
    llm.route("POST", "/v1/chat/completions", (_request, response) => {
      startEventStream(response);
      sseFrame(response, { data: JSON.stringify({ choices: [{ delta: { content: "Hi" }, finish_reason: null }] }) });
      sseFrame(response, { data: JSON.stringify({ choices: [{ delta: {}, finish_reason: "length" }] }) });
      response.end();
    });
    expect(await drain(tutor().generate(request, signal()))).toEqual([
      { type: "delta", content: "Hi" },
      { type: "end", finishReason: "length", tokens: null },
    ]);
  });

  it("reports every message without content (role-only, empty, usage, comment keep-alive) as a sign of life", async () => {
    llm.route("POST", "/v1/chat/completions", (_request, response) => {
      startEventStream(response);
      sseFrame(response, { data: JSON.stringify({ choices: [{ delta: { role: "assistant" }, finish_reason: null }] }) });
      sseFrame(response, { data: JSON.stringify({ choices: [{ delta: { content: "" }, finish_reason: null }] }) });
      response.write(": keep-alive\n\n");
      sseFrame(response, { data: JSON.stringify({ choices: [{ delta: { content: "Hi" }, finish_reason: "stop" }] }) });
      sseFrame(response, { data: JSON.stringify({ choices: [], usage: { completion_tokens: 1 } }) });
      sseFrame(response, { data: "[DONE]" });
      response.end();
    });
    expect(await drain(tutor().generate(request, signal()), { alive: true })).toEqual([
      { type: "alive" },
      { type: "alive" },
      { type: "alive" },
      { type: "delta", content: "Hi" },
      { type: "alive" },
      { type: "end", finishReason: "stop", tokens: 1 },
    ]);
  });

  it.each([
    ["an error status", chatCompletions({ deltas: [], status: 503 }), /failed \(status 503\)/],
    ["an error payload mid-stream", chatCompletions({ deltas: ["a", "b"], errorAfter: 1 }), /reported an error/],
    ["a stream that stops before finishing", chatCompletions({ deltas: ["a", "b"], breakAfter: 1 }), /./],
  ])("maps %s to UPSTREAM_ERROR without quoting the server", async (_name, handler, message) => {
    llm.route("POST", "/v1/chat/completions", handler);
    const failure = await drain(tutor().generate(request, signal())).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "UPSTREAM_ERROR", message: expect.stringMatching(message) });
    expect(JSON.stringify(failure)).not.toContain("/srv/model");
  });

  it("refuses a response that is not an event stream", async () => {
    llm.route("POST", "/v1/chat/completions", (_request, response) => {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end("{}");
    });
    await expect(drain(tutor().generate(request, signal()))).rejects.toMatchObject({ code: "UPSTREAM_ERROR" });
  });
});

describe("the CO with CO_TUTOR_PROVIDER=openai", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      env: { CO_TUTOR_PROVIDER: "openai", CO_OPENAI_BASE: `${llm.url}/v1`, CO_OPENAI_MODEL: "tiny-tutor", CO_OPENAI_API_KEY: "sk-app" },
    });
  });
  afterAll(() => app.close());

  it("streams the model's deltas, stores them with the usage tokens, and never puts the answer or hidden tests in the prompt", async () => {
    const prompts: string[] = [];
    llm.route("POST", "/v1/chat/completions", chatCompletions({ deltas: ["Use ", "the ", "power rule."], completionTokens: 3 }, (sent) => prompts.push(JSON.stringify(sent.body))));
    const math = await startTurn(app, "openai-math", { problem_id: MATH_PROBLEM_ID, hint_level: 3 });
    const { events } = await collectSse(streamUrlOn(app, math));
    expect(textOf(events)).toBe("Use the power rule.");
    expect(events.at(-1)).toMatchObject({ event: "message.end", data: { finish_reason: "stop", tokens: 3 } });
    expect(await turnOf(app, math.turn_id)).toMatchObject({ status: "completed", content: "Use the power rule.", tokens: 3, provider: "openai:tiny-tutor" });

    const coding = await startTurn(app, "openai-coding");
    await collectSse(streamUrlOn(app, coding));
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).toContain("4x^3 - 2x + 7");
    expect(prompts[0]).not.toContain("12*x^2");
    // running-sum: a hidden test's input and a reference solution's code.
    expect(prompts[1]).toContain("running");
    expect(prompts[1]).not.toContain("1000000");
    expect(prompts[1]).not.toContain("out.append");
  });
});
