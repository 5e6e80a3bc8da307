import type { BankProblem, HiddenBundle } from "@co/shared";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpProblemBank } from "../../server/src/adapters/http/http-problem-bank.js";
import { AppError } from "../../server/src/errors/app-error.js";
import { RequestScope } from "../../server/src/request-scope.js";
import { closedPortUrl, json, jsonAfter, raw, startFakeNeighbour, type FakeNeighbour } from "./support/fake-neighbour.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN = "service-token-s3cr3t";

const problem: BankProblem = {
  id: "two-sum",
  subject: "coding",
  title: "Two sum",
  statement: "Find two numbers that add up to **target**.",
  type: "coding",
  difficulty: 2,
  topics: ["arrays", "hashing"],
  outcomes: ["use-hash-maps"],
  track: "dsa-basics",
  module: "arrays",
  hints: { "1": "Think of complements.", "2": "Use a map.", "3": "One pass is enough." },
  entrypoint: { python: "two_sum", javascript: "twoSum" },
  starter_code: { javascript: "function twoSum(nums, target) {}" },
  visible_tests: [{ input: [[2, 7, 11, 15], 9], expected: [0, 1] }],
  compare: "unordered",
};

const mathProblem: BankProblem = {
  id: "solve-quadratic",
  subject: "math",
  title: "Solve a quadratic",
  statement: "Solve $x^2 - 5x + 6 = 0$.",
  type: "equation",
  difficulty: 3,
  topics: ["quadratics"],
  outcomes: ["factor-quadratics"],
  track: null,
  module: null,
  hints: { "1": "Factor.", "2": "(x-2)(x-3)", "3": "x = 2 or x = 3" },
  variables: ["x"],
  solution: "2, 3",
  tolerance: 1e-6,
};

const bundle: HiddenBundle = {
  problem_id: "two-sum",
  tests: [
    { input: [[3, 2, 4], 6], expected: [1, 2] },
    { input: [[3, 3], 6], expected: [0, 1] },
  ],
};

/** Awaits a rejection and returns it, failing when the promise resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => {
      throw new Error("expected the call to reject");
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("HttpProblemBank against a problem bank speaking §9", () => {
  let neighbour: FakeNeighbour;
  let bank: HttpProblemBank;

  beforeEach(async () => {
    neighbour = await startFakeNeighbour();
    bank = new HttpProblemBank({ baseUrl: neighbour.url, serviceToken: TOKEN, timeoutMs: 2_000, retryDelayMs: 20 });
  });

  afterEach(async () => {
    await neighbour.close();
  });

  describe("happy paths", () => {
    it("getProblem GETs /internal/problems/{id} and resolves the validated problem", async () => {
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) => json(res, 200, problem));

      await expect(bank.getProblem("two-sum")).resolves.toEqual(problem);

      expect(neighbour.requests).toHaveLength(1);
      const [request] = neighbour.requests;
      expect(request).toMatchObject({ method: "GET", path: "/internal/problems/two-sum", search: "" });
    });

    it("getTrack GETs /internal/tracks/{slug}, validates the track, and answers null for a 404", async () => {
      const track = { slug: "dsa-basics", subject: "coding", title: "DSA basics", modules: [{ id: "arrays", title: "Arrays", outcomes: ["use-hash-maps"] }], labels: [], version: "v1" };
      neighbour.route("GET", "/internal/tracks/dsa-basics", (_req, res) => json(res, 200, track));
      neighbour.route("GET", "/internal/tracks/bad-shape", (_req, res) => json(res, 200, { slug: "bad-shape" }));

      await expect(bank.getTrack("dsa-basics")).resolves.toEqual(track);
      await expect(bank.getTrack("missing")).resolves.toBeNull();
      expect((await rejectionOf(bank.getTrack("bad-shape"))).code).toBe("UPSTREAM_ERROR");
      expect(neighbour.requests.map((request) => request.path)).toContain("/internal/tracks/dsa-basics");
    });

    it("every call carries X-Service, a fresh uuid X-Request-ID and the bearer service token", async () => {
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) => json(res, 200, problem));

      await bank.getProblem("two-sum");
      await bank.getProblem("two-sum");

      const [first, second] = neighbour.requests;
      expect(first!.headers["x-service"]).toBe("curriculum-orchestrator");
      expect(first!.headers["authorization"]).toBe(`Bearer ${TOKEN}`);
      expect(first!.headers["x-request-id"]).toMatch(UUID);
      expect(second!.headers["x-request-id"]).toMatch(UUID);
      expect(second!.headers["x-request-id"]).not.toBe(first!.headers["x-request-id"]);
    });

    it("without a service token, no Authorization header is sent", async () => {
      const anonymous = new HttpProblemBank({ baseUrl: neighbour.url, timeoutMs: 2_000 });
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) => json(res, 200, problem));

      await anonymous.getProblem("two-sum");

      const [request] = neighbour.requests;
      expect(request!.headers).not.toHaveProperty("authorization");
      expect(request!.headers["x-service"]).toBe("curriculum-orchestrator");
    });

    it("when the call runs for a request, its id is sent as X-Request-ID", async () => {
      const requestScope = new RequestScope();
      const traced = new HttpProblemBank({ baseUrl: neighbour.url, timeoutMs: 2_000, requestScope });
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) => json(res, 200, problem));

      await requestScope.run("req-abc-123", () => traced.getProblem("two-sum"));

      expect(neighbour.requests[0]!.headers["x-request-id"]).toBe("req-abc-123");
    });

    it("a base URL with a path prefix and a trailing slash keeps the prefix", async () => {
      const prefixed = new HttpProblemBank({ baseUrl: `${neighbour.url}/bank/`, timeoutMs: 2_000 });
      neighbour.route("GET", "/bank/internal/problems/two-sum", (_req, res) => json(res, 200, problem));

      await expect(prefixed.getProblem("two-sum")).resolves.toEqual(problem);
    });

    it("ids are URL-encoded as one path segment", async () => {
      const odd = { ...problem, id: "a/b c?d#e" };
      neighbour.route("GET", "/internal/problems/a%2Fb%20c%3Fd%23e", (_req, res) => json(res, 200, odd));
      neighbour.route("GET", "/internal/problems/a%2Fb%20c%3Fd%23e/hidden-bundle", (_req, res) =>
        json(res, 200, { ...bundle, problem_id: odd.id }),
      );

      await expect(bank.getProblem("a/b c?d#e")).resolves.toEqual(odd);
      await expect(bank.getHiddenBundle("a/b c?d#e")).resolves.toEqual({ ...bundle, problem_id: odd.id });
      expect(neighbour.requests.map((request) => request.search)).toEqual(["", ""]);
    });

    it("a math problem keeps its solution, variables and tolerance for server-side use", async () => {
      neighbour.route("GET", "/internal/problems/solve-quadratic", (_req, res) => json(res, 200, mathProblem));

      await expect(bank.getProblem("solve-quadratic")).resolves.toEqual(mathProblem);
    });

    it("unknown fields in the problem bank's answer are dropped", async () => {
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) =>
        json(res, 200, { ...problem, reference_solution: "secret code", internal_notes: "x" }),
      );

      const got = await bank.getProblem("two-sum");

      expect(got).toEqual(problem);
      expect(got).not.toHaveProperty("reference_solution");
    });

    it("getHiddenBundle GETs /internal/problems/{id}/hidden-bundle and resolves the bundle", async () => {
      neighbour.route("GET", "/internal/problems/two-sum/hidden-bundle", (_req, res) => json(res, 200, bundle));

      await expect(bank.getHiddenBundle("two-sum")).resolves.toEqual(bundle);

      const [request] = neighbour.requests;
      expect(request).toMatchObject({ method: "GET", path: "/internal/problems/two-sum/hidden-bundle" });
      expect(request!.headers["x-service"]).toBe("curriculum-orchestrator");
      expect(request!.headers["authorization"]).toBe(`Bearer ${TOKEN}`);
      expect(request!.headers["x-request-id"]).toMatch(UUID);
    });

    it("listProblems GETs /internal/problems with every set filter in the query and resolves the items", async () => {
      neighbour.route("GET", "/internal/problems", (_req, res) => json(res, 200, { items: [problem, mathProblem] }));

      const items = await bank.listProblems({
        subject: "coding",
        track: "dsa-basics",
        module: "arrays",
        difficulty: 2,
        limit: 50,
      });

      expect(items).toEqual([problem, mathProblem]);
      const [request] = neighbour.requests;
      expect(request!.path).toBe("/internal/problems");
      expect(request!.query).toEqual({
        subject: "coding",
        track: "dsa-basics",
        module: "arrays",
        difficulty: "2",
        limit: "50",
      });
      expect(request!.headers["x-service"]).toBe("curriculum-orchestrator");
      expect(request!.headers["authorization"]).toBe(`Bearer ${TOKEN}`);
    });

    it("listProblems sends only the filters that are set", async () => {
      neighbour.route("GET", "/internal/problems", (_req, res) => json(res, 200, { items: [] }));

      await bank.listProblems({ track: "dsa-basics", limit: 5 });
      await bank.listProblems({});
      await bank.listProblems({ subject: undefined, module: "", difficulty: 4 });

      expect(neighbour.requests.map((request) => request.query)).toEqual([
        { track: "dsa-basics", limit: "5" },
        {},
        { difficulty: "4" },
      ]);
      expect(neighbour.requests[1]!.search).toBe("");
    });

    it("query values are URL-encoded", async () => {
      neighbour.route("GET", "/internal/problems", (_req, res) => json(res, 200, { items: [] }));

      await bank.listProblems({ track: "a&b=c", module: "m 1/2" });

      expect(neighbour.requests[0]!.query).toEqual({ track: "a&b=c", module: "m 1/2" });
    });
  });

  describe("not found", () => {
    it("when the problem bank answers 404, getProblem resolves null", async () => {
      neighbour.route("GET", "/internal/problems/missing", (_req, res) => json(res, 404, { detail: "not found" }));

      await expect(bank.getProblem("missing")).resolves.toBeNull();
      expect(neighbour.requests).toHaveLength(1);
    });

    it("when the problem bank answers 404, getHiddenBundle resolves null", async () => {
      neighbour.route("GET", "/internal/problems/missing/hidden-bundle", (_req, res) => raw(res, 404, "text/html", "<h1>nope</h1>"));

      await expect(bank.getHiddenBundle("missing")).resolves.toBeNull();
      expect(neighbour.requests).toHaveLength(1);
    });

    it.each(["", ".", ".."])("an id no URL can address (%j) resolves null without calling the problem bank", async (id) => {
      await expect(bank.getProblem(id)).resolves.toBeNull();
      await expect(bank.getHiddenBundle(id)).resolves.toBeNull();
      expect(neighbour.requests).toHaveLength(0);
    });

    it("when the list endpoint itself answers 404, listProblems fails with UPSTREAM_ERROR", async () => {
      const error = await rejectionOf(bank.listProblems({}));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Problem bank failed (status 404)");
    });
  });

  describe("retries (GET only, at most 2)", () => {
    it("a GET that fails with 503 is retried and the retry's answer is used", async () => {
      let calls = 0;
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) =>
        ++calls === 1 ? json(res, 503, { error: "warming up" }) : json(res, 200, problem),
      );

      await expect(bank.getProblem("two-sum")).resolves.toEqual(problem);

      expect(neighbour.requests).toHaveLength(2);
      const [first, second] = neighbour.requests;
      expect(second!.headers["x-request-id"]).toBe(first!.headers["x-request-id"]);
    });

    it("a GET that keeps failing with 503 is tried 3 times, then fails with UPSTREAM_ERROR", async () => {
      neighbour.route("GET", "/internal/problems", (_req, res) => json(res, 503, { error: "overloaded" }));

      const error = await rejectionOf(bank.listProblems({ subject: "math" }));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.status).toBe(502);
      expect(error.message).toBe("Problem bank failed (status 503)");
      expect(neighbour.requests).toHaveLength(3);
    });

    it("a GET whose connection drops before an answer is retried, then fails with UPSTREAM_ERROR", async () => {
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) => {
        res.socket?.destroy();
      });

      const error = await rejectionOf(bank.getProblem("two-sum"));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Problem bank failed (no response)");
      expect(neighbour.requests).toHaveLength(3);
    });

    it("a 4xx other than 404 is not retried and fails with UPSTREAM_ERROR", async () => {
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) => json(res, 401, { error: "bad token" }));

      const error = await rejectionOf(bank.getProblem("two-sum"));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Problem bank failed (status 401)");
      expect(neighbour.requests).toHaveLength(1);
    });

    it("the failure message names the status but never the response body or the service token", async () => {
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) =>
        raw(res, 500, "text/plain", `stack trace: db password hunter2, token ${TOKEN}`),
      );

      const error = await rejectionOf(bank.getProblem("two-sum"));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).not.toMatch(/hunter2|stack trace/);
      expect(error.message).not.toContain(TOKEN);
      expect(JSON.stringify(error.details)).not.toMatch(/hunter2|s3cr3t/);
    });
  });

  describe("timeouts", () => {
    it("when the problem bank answers after the timeout, the call fails with UPSTREAM_TIMEOUT", async () => {
      const impatient = new HttpProblemBank({ baseUrl: neighbour.url, timeoutMs: 200 });
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) => jsonAfter(res, 2_000, 200, problem));

      const started = Date.now();
      const error = await rejectionOf(impatient.getProblem("two-sum"));

      expect(error.code).toBe("UPSTREAM_TIMEOUT");
      expect(error.status).toBe(504);
      expect(error.message).toBe("Problem bank did not answer within 200 ms");
      expect(Date.now() - started).toBeLessThan(1_500);
    });

    it("the timeout bounds the whole call: a slow GET is not retried past its budget", async () => {
      const impatient = new HttpProblemBank({ baseUrl: neighbour.url, timeoutMs: 200 });
      neighbour.route("GET", "/internal/problems", (_req, res) => jsonAfter(res, 2_000, 200, { items: [] }));

      const error = await rejectionOf(impatient.listProblems({}));

      expect(error.code).toBe("UPSTREAM_TIMEOUT");
      expect(neighbour.requests).toHaveLength(1);
    });
  });

  describe("malformed answers", () => {
    it.each<[string, (res: import("node:http").ServerResponse) => void]>([
      ["a problem missing required fields", (res) => json(res, 200, { id: "two-sum", title: "Two sum" })],
      ["a problem with a wrong field type", (res) => json(res, 200, { ...problem, difficulty: "hard" })],
      ["an HTML page", (res) => raw(res, 200, "text/html", "<html><body>Welcome to nginx</body></html>")],
      ["broken JSON", (res) => raw(res, 200, "application/json", '{"id": "two-sum", ')],
      ["an empty body", (res) => raw(res, 200, "application/json", "")],
      ["JSON null", (res) => json(res, 200, null)],
    ])("when the problem bank answers %s, getProblem fails with UPSTREAM_ERROR", async (_label, answer) => {
      neighbour.route("GET", "/internal/problems/two-sum", (_req, res) => answer(res));

      const error = await rejectionOf(bank.getProblem("two-sum"));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Problem bank returned an unexpected response");
      expect(neighbour.requests).toHaveLength(1);
    });

    it("when the hidden bundle has malformed tests, getHiddenBundle fails with UPSTREAM_ERROR", async () => {
      neighbour.route("GET", "/internal/problems/two-sum/hidden-bundle", (_req, res) =>
        json(res, 200, { problem_id: "two-sum", tests: [{ input: "not-a-list", expected: 1 }] }),
      );

      const error = await rejectionOf(bank.getHiddenBundle("two-sum"));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Problem bank returned an unexpected response");
    });

    it("when one listed problem is malformed, listProblems fails with UPSTREAM_ERROR", async () => {
      neighbour.route("GET", "/internal/problems", (_req, res) =>
        json(res, 200, { items: [problem, { ...mathProblem, subject: "poetry" }] }),
      );

      const error = await rejectionOf(bank.listProblems({}));

      expect(error.code).toBe("UPSTREAM_ERROR");
    });

    it("when the list answer is a bare array instead of {items}, listProblems fails with UPSTREAM_ERROR", async () => {
      neighbour.route("GET", "/internal/problems", (_req, res) => json(res, 200, [problem]));

      const error = await rejectionOf(bank.listProblems({}));

      expect(error.code).toBe("UPSTREAM_ERROR");
    });
  });

  describe("unreachable", () => {
    it("when nothing listens on the problem bank's port, the call fails with UPSTREAM_ERROR after its retries", async () => {
      const unreachable = new HttpProblemBank({ baseUrl: await closedPortUrl(), timeoutMs: 2_000, retryDelayMs: 20 });

      const error = await rejectionOf(unreachable.getProblem("two-sum"));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Problem bank failed (no response)");
    });
  });
});
