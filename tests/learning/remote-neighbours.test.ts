import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { codingProblem } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

/**
 * The whole loop against neighbour services over HTTP: problems from a Problem Bank,
 * grading by an Evaluation service — both real servers on loopback speaking §9.
 */
const problem = codingProblem();
const { hidden_tests, reference_solutions, equivalent_answer, ...wire } = problem;
void reference_solutions;
void equivalent_answer;

let bank: FakeNeighbour;
let evaluator: FakeNeighbour;
let app: TestApp;

const json = (body: unknown) => (_request: unknown, response: import("node:http").ServerResponse) => {
  response.setHeader("content-type", "application/json");
  response.end(JSON.stringify(body));
};

beforeAll(async () => {
  bank = await startFakeNeighbour();
  evaluator = await startFakeNeighbour();
  bank.route("GET", `/internal/problems/${problem.id}`, json(wire));
  bank.route("GET", `/internal/problems/${problem.id}/hidden-bundle`, json({ problem_id: problem.id, tests: hidden_tests }));
  bank.route("GET", "/internal/problems", json({ items: [wire] }));
  evaluator.route(
    "POST",
    "/evaluate/code",
    json({
      status: "failed",
      visible: { passed: 2, total: 3, details: [{ input: [1], expected: 2, actual: 3, passed: false, message: "off by one" }] },
      hidden: { passed: 4, total: 5 },
      exec_ms: 12,
    }),
  );
  app = await startTestApp({
    env: { CO_PROBLEM_BANK_BASE: bank.url, CO_EVAL_BASE: evaluator.url, CO_SERVICE_TOKEN: "svc-token" },
  });
});
afterAll(async () => {
  await app.close();
  await bank.close();
  await evaluator.close();
});

describe("with a remote Problem Bank and Evaluation service", () => {
  it("recommends, shows the public problem, and grades through the neighbours", async () => {
    const headers = await app.authFor("remote-user");
    const session = await http<{ id: string; problem_id: string }>(`${app.url}/v1/sessions`, {
      method: "POST",
      headers,
      json: { subject: "coding", mode: "practice" },
    });
    expect(session.status).toBe(201);
    expect(session.body.problem_id).toBe(problem.id);
    expect(bank.requestsTo("GET", "/internal/problems")[0]!.query).toMatchObject({ subject: "coding" });

    const shown = await http<Record<string, unknown>>(`${app.url}/v1/problems/${problem.id}`, { headers });
    expect(shown.status).toBe(200);
    expect(shown.body).not.toHaveProperty("hints");

    const graded = await http<{ status: string; hidden: { categories: string[] } }>(`${app.url}/v1/submissions`, {
      method: "POST",
      headers: { ...headers, "x-request-id": "grading-request-42" },
      json: { session_id: session.body.id, problem_id: problem.id, subject: "coding", payload: { language: "python", code: "def f(): pass" } },
    });
    expect(graded.status).toBe(200);
    expect(graded.body).toMatchObject({ status: "failed", hidden: { categories: ["minor_issues"] } });

    const sent = evaluator.requestsTo("POST", "/evaluate/code")[0]!;
    expect(sent.headers["x-service"]).toBe("curriculum-orchestrator");
    expect(sent.headers.authorization).toBe("Bearer svc-token");
    // The caller's request id travels on to every neighbour call made for it.
    expect(sent.headers["x-request-id"]).toBe("grading-request-42");
    const bundle = bank.requestsTo("GET", `/internal/problems/${problem.id}/hidden-bundle`).at(-1)!;
    expect(bundle.headers["x-request-id"]).toBe("grading-request-42");
    expect(sent.body).toMatchObject({ language: "python", entrypoint: problem.entrypoint!.python, test_bundle: { tests: hidden_tests } });
  });

  it("maps a Problem Bank 404 to NOT_FOUND", async () => {
    const response = await http<{ error: { code: string } }>(`${app.url}/v1/problems/unknown-problem`, {
      headers: await app.authFor("remote-user"),
    });
    expect(response.status).toBe(404);
  });
});

describe("tracks the remote Problem Bank defines", () => {
  it("are fetched by slug on first use, stored with a stable id, listed, and usable for a track session", async () => {
    const headers = await app.authFor("remote-tracks");
    const track = {
      slug: "remote-track",
      subject: "coding",
      title: "A track only the bank knows",
      modules: [{ id: problem.module, title: "Its module", outcomes: problem.outcomes }],
      labels: ["remote"],
      version: "v1",
    };
    bank.route("GET", "/internal/tracks/remote-track", json(track));
    expect((await http(`${app.url}/v1/tracks/no-such-track`, { headers })).status).toBe(404);

    const first = await http<{ id: string; slug: string; modules: unknown[] }>(`${app.url}/v1/tracks/remote-track`, { headers });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ slug: "remote-track", modules: track.modules });
    const again = await http<{ id: string }>(`${app.url}/v1/tracks/${first.body.id}`, { headers });
    expect(again.body.id).toBe(first.body.id);
    const listed = await http<{ items: { slug: string }[] }>(`${app.url}/v1/tracks?label=remote`, { headers });
    expect(listed.body.items.map((item) => item.slug)).toEqual(["remote-track"]);

    const session = await http<{ track_id: string }>(`${app.url}/v1/sessions`, {
      method: "POST",
      headers,
      json: { subject: "coding", mode: "track", track_id: "remote-track" },
    });
    expect(session.status).toBe(201);
    expect(session.body.track_id).toBe(first.body.id);
  });
});

describe("the remote Problem Bank's cache", () => {
  it("asks the bank once for a problem read repeatedly, but fetches hidden tests for every grading", async () => {
    const headers = await app.authFor("cache-user");
    const before = bank.requestsTo("GET", `/internal/problems/${problem.id}`).length;
    for (let i = 0; i < 3; i++) expect((await http(`${app.url}/v1/problems/${problem.id}`, { headers })).status).toBe(200);
    expect(bank.requestsTo("GET", `/internal/problems/${problem.id}`).length - before).toBeLessThanOrEqual(1);

    const session = await http<{ id: string }>(`${app.url}/v1/sessions`, { method: "POST", headers, json: { subject: "coding", problem_id: problem.id } });
    const bundles = bank.requestsTo("GET", `/internal/problems/${problem.id}/hidden-bundle`).length;
    for (let i = 0; i < 2; i++) {
      const graded = await http(`${app.url}/v1/submissions`, {
        method: "POST",
        headers,
        json: { session_id: session.body.id, problem_id: problem.id, subject: "coding", payload: { language: "python", code: `def f(): return ${i}` } },
      });
      expect(graded.status).toBe(200);
    }
    expect(bank.requestsTo("GET", `/internal/problems/${problem.id}/hidden-bundle`).length - bundles).toBe(2);
  });

  it("does not remember an unknown problem, so one added to the bank later is found", async () => {
    const headers = await app.authFor("cache-user");
    expect((await http(`${app.url}/v1/problems/added-later`, { headers })).status).toBe(404);
    bank.route("GET", "/internal/problems/added-later", json({ ...wire, id: "added-later" }));
    expect((await http(`${app.url}/v1/problems/added-later`, { headers })).status).toBe(200);
  });
});
