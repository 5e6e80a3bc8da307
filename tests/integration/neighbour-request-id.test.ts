import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpEvaluator } from "../../server/src/adapters/http/http-evaluator.js";
import { HttpProblemBank } from "../../server/src/adapters/http/http-problem-bank.js";
import { OpenAiTutor } from "../../server/src/adapters/tutor/openai-tutor.js";
import { RequestScope } from "../../server/src/request-scope.js";
import { json, startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { codingProblem } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { chatCompletions } from "../tutor/support/fake-llm.js";
import { collectSse, type Created } from "../tutor/support/tutor-fixtures.js";

/**
 * All three neighbours (Problem Bank, Evaluation service, an OpenAI-compatible tutor) are
 * real servers on loopback: the X-Request-ID each one sees is the one the CO's caller got back.
 */
const problem = codingProblem();
const { hidden_tests, reference_solutions, equivalent_answer, ...wire } = problem;
void reference_solutions;
void equivalent_answer;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HOSTILE_IDS = ["evil id <script>", "x".repeat(129), "tab\tinside"];

let bank: FakeNeighbour;
let evaluator: FakeNeighbour;
let llm: FakeNeighbour;
let app: TestApp;

beforeAll(async () => {
  [bank, evaluator, llm] = await Promise.all([startFakeNeighbour(), startFakeNeighbour(), startFakeNeighbour()]);
  bank.route("GET", `/internal/problems/${problem.id}`, (_request, response) => json(response, 200, wire));
  bank.route("GET", `/internal/problems/${problem.id}/hidden-bundle`, (_request, response) =>
    json(response, 200, { problem_id: problem.id, tests: hidden_tests }),
  );
  bank.route("GET", "/internal/problems", (_request, response) => json(response, 200, { items: [wire] }));
  evaluator.route("POST", "/evaluate/code", (_request, response) =>
    json(response, 200, { status: "failed", visible: { passed: 0, total: 1, details: [] }, hidden: { passed: 0, total: 1 }, exec_ms: 3 }),
  );
  llm.route("POST", "/chat/completions", chatCompletions({ deltas: ["Look again."] }));
  app = await startTestApp({
    env: {
      CO_PROBLEM_BANK_BASE: bank.url,
      CO_EVAL_BASE: evaluator.url,
      // Every read reaches the bank, so each request's own calls can be told apart.
      CO_PROBLEM_BANK_CACHE_SECONDS: "0",
      CO_TUTOR_PROVIDER: "openai",
      CO_OPENAI_BASE: llm.url,
    },
  });
});
afterAll(async () => {
  await app.close();
  await Promise.all([bank.close(), evaluator.close(), llm.close()]);
});

/** The request ids a neighbour saw on its calls since `from`. */
const idsSince = (neighbour: FakeNeighbour, from: number) => neighbour.requests.slice(from).map((request) => request.headers["x-request-id"]);

/**
 * Starts a session, submits code and asks for a hint, each CO request with its own
 * `X-Request-ID`; tells what each request echoed and what each neighbour saw.
 */
async function learnerRound(userId: string, ids: { session: string; submit: string; hint: string }) {
  const auth = await app.authFor(userId);
  const seen = { bank: bank.requests.length, evaluator: evaluator.requests.length, llm: llm.requests.length };

  const session = await http<{ id: string }>(`${app.url}/v1/sessions`, {
    method: "POST",
    headers: { ...auth, "x-request-id": ids.session },
    json: { subject: "coding", mode: "practice" },
  });
  expect(session.status).toBe(201);
  const sessionBank = idsSince(bank, seen.bank);
  seen.bank = bank.requests.length;

  const graded = await http(`${app.url}/v1/submissions`, {
    method: "POST",
    headers: { ...auth, "x-request-id": ids.submit },
    json: { session_id: session.body.id, problem_id: problem.id, subject: "coding", payload: { language: "python", code: "def f(): pass" } },
  });
  expect(graded.status).toBe(200);
  const submitBank = idsSince(bank, seen.bank);
  seen.bank = bank.requests.length;

  const hint = await http<Created>(`${app.url}/v1/tutor/messages`, {
    method: "POST",
    headers: { ...auth, "x-request-id": ids.hint },
    json: { session_id: session.body.id, problem_id: problem.id, hint_level: 1 },
  });
  expect(hint.status).toBe(202);
  // The generation runs after the 202: its end means the model was called.
  const { events } = await collectSse(`${app.url}/v1/tutor/stream?token=${hint.body.token}`);
  expect(events.at(-1)!.event).toBe("message.end");

  return {
    echoed: { session: session.headers.get("x-request-id"), submit: graded.headers.get("x-request-id"), hint: hint.headers.get("x-request-id") },
    bank: { session: sessionBank, submit: submitBank, hint: idsSince(bank, seen.bank) },
    evaluator: idsSince(evaluator, seen.evaluator),
    tutor: idsSince(llm, seen.llm),
  };
}

describe("the request id of a CO request reaches every neighbour called for it", () => {
  it("when the caller sends an id, the bank, the evaluator and the tutor all get exactly that id", async () => {
    const round = await learnerRound("rid-plain", { session: "req-session-1", submit: "req-submit-2", hint: "req-hint-3" });
    expect(round.echoed).toEqual({ session: "req-session-1", submit: "req-submit-2", hint: "req-hint-3" });
    expect(round.bank.session.length).toBeGreaterThan(0);
    expect(new Set(round.bank.session)).toEqual(new Set(["req-session-1"]));
    expect(new Set(round.bank.submit)).toEqual(new Set(["req-submit-2"]));
    expect(round.evaluator).toEqual(["req-submit-2"]);
    expect(round.tutor).toEqual(["req-hint-3"]);
  });

  it.each(HOSTILE_IDS)("when the caller sends a hostile id (%j), all three get the same fresh uuid the caller got back", async (hostile) => {
    const round = await learnerRound(`rid-hostile-${hostile.length}`, { session: hostile, submit: hostile, hint: hostile });
    const { session, submit, hint } = round.echoed;
    for (const id of [session, submit, hint]) expect(id).toMatch(UUID);
    expect(new Set(round.bank.session)).toEqual(new Set([session]));
    expect(new Set(round.bank.submit)).toEqual(new Set([submit]));
    expect(round.evaluator).toEqual([submit]);
    expect(round.tutor).toEqual([hint]);
  });
});

describe("the adapters' own rule, for work that reaches them without passing the CO's edge", () => {
  it("a hostile id in the request scope is replaced by a fresh uuid for the bank, the evaluator and the tutor alike", async () => {
    const requestScope = new RequestScope();
    const problemBank = new HttpProblemBank({ baseUrl: bank.url, timeoutMs: 2_000, requestScope });
    const grader = new HttpEvaluator({ baseUrl: evaluator.url, timeoutMs: 2_000, requestScope });
    const tutor = new OpenAiTutor({ baseUrl: llm.url, model: "test-model", requestScope });
    const hostile = "line\r\nX-Injected: 1 é";
    const from = { bank: bank.requests.length, evaluator: evaluator.requests.length, llm: llm.requests.length };

    await requestScope.run(hostile, async () => {
      await problemBank.getProblem(problem.id);
      await grader.evaluateMath({
        problemId: problem.id,
        problemType: "expression",
        userAnswer: "x",
        userSteps: [],
        expectedAnswer: "x",
        variables: ["x"],
        tolerance: 0,
      }).catch(() => {});
      for await (const chunk of tutor.generate(
        { turnId: "t", problem: { ...wire, hints: wire.hints }, hintLevel: 1, instruction: "nudge", lastEval: null, message: null },
        new AbortController().signal,
      )) void chunk;
    });

    const sent = [...idsSince(bank, from.bank), ...idsSince(evaluator, from.evaluator), ...idsSince(llm, from.llm)];
    expect(sent).toHaveLength(3);
    for (const id of sent) expect(id).toMatch(UUID);
    expect(bank.requests.flatMap((request) => Object.keys(request.headers))).not.toContain("x-injected");
  });
});
