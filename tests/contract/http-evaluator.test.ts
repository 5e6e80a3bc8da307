import type { ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HttpEvaluator } from "../../server/src/adapters/http/http-evaluator.js";
import { AppError } from "../../server/src/errors/app-error.js";
import type { CodeEvaluationRequest, MathEvaluationRequest } from "../../server/src/ports/evaluator.js";
import { closedPortUrl, json, jsonAfter, raw, startFakeNeighbour, type FakeNeighbour } from "./support/fake-neighbour.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN = "eval-token-s3cr3t";

const codeRequest: CodeEvaluationRequest = {
  problemId: "two-sum",
  language: "javascript",
  code: "function twoSum(nums, target) { return [0, 1]; }",
  entrypoint: "twoSum",
  visibleTests: [{ input: [[2, 7, 11, 15], 9], expected: [0, 1] }],
  hiddenTests: [
    { input: [[3, 2, 4], 6], expected: [1, 2] },
    { input: [[3, 3], 6], expected: [0, 1] },
  ],
  compare: "unordered",
  timeoutMs: 5_000,
};

const codeAnswer = {
  status: "failed",
  visible: {
    passed: 1,
    total: 1,
    details: [{ input: [[2, 7, 11, 15], 9], expected: [0, 1], actual: [0, 1], passed: true }],
  },
  hidden: { passed: 1, total: 2 },
  exec_ms: 42,
};

const mathRequest: MathEvaluationRequest = {
  problemId: "solve-quadratic",
  problemType: "equation",
  userAnswer: "x = 2 or x = 3",
  userSteps: ["(x-2)(x-3) = 0"],
  expectedAnswer: "2, 3",
  variables: ["x"],
  tolerance: 1e-6,
};

/** Awaits a rejection and returns it, failing when the promise resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to reject");
    },
    (reason: unknown) => reason,
  );
}

async function appErrorOf(promise: Promise<unknown>): Promise<AppError> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("HttpEvaluator against an evaluation service speaking §9", () => {
  let neighbour: FakeNeighbour;
  let evaluator: HttpEvaluator;

  beforeEach(async () => {
    neighbour = await startFakeNeighbour();
    evaluator = new HttpEvaluator({ baseUrl: neighbour.url, serviceToken: TOKEN, timeoutMs: 2_000 });
  });

  afterEach(async () => {
    await evaluator.close();
    await neighbour.close();
  });

  describe("code", () => {
    it("evaluateCode POSTs the §9 body to /evaluate/code with the hidden tests as test_bundle", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) => json(res, 200, codeAnswer));

      await evaluator.evaluateCode(codeRequest);

      expect(neighbour.requests).toHaveLength(1);
      const [request] = neighbour.requests;
      expect(request).toMatchObject({ method: "POST", path: "/evaluate/code", search: "" });
      expect(request!.headers["content-type"]).toMatch(/^application\/json/);
      expect(request!.body).toEqual({
        problem_id: "two-sum",
        language: "javascript",
        code: codeRequest.code,
        entrypoint: "twoSum",
        visible_tests: codeRequest.visibleTests,
        test_bundle: { problem_id: "two-sum", tests: codeRequest.hiddenTests },
        compare: "unordered",
        timeout_ms: 5_000,
      });
    });

    it("evaluateCode sends X-Service, a uuid X-Request-ID and the bearer service token", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) => json(res, 200, codeAnswer));

      await evaluator.evaluateCode(codeRequest);

      const { headers } = neighbour.requests[0]!;
      expect(headers["x-service"]).toBe("curriculum-orchestrator");
      expect(headers["x-request-id"]).toMatch(UUID);
      expect(headers["authorization"]).toBe(`Bearer ${TOKEN}`);
    });

    it("without a service token, no Authorization header is sent", async () => {
      const anonymous = new HttpEvaluator({ baseUrl: neighbour.url, timeoutMs: 2_000 });
      neighbour.route("POST", "/evaluate/code", (_req, res) => json(res, 200, codeAnswer));

      await anonymous.evaluateCode(codeRequest);

      expect(neighbour.requests[0]!.headers).not.toHaveProperty("authorization");
      expect(neighbour.requests[0]!.headers["x-service"]).toBe("curriculum-orchestrator");
    });

    it("the evaluation service's answer is mapped to the camelCase CodeEvaluation", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) => json(res, 200, codeAnswer));

      await expect(evaluator.evaluateCode(codeRequest)).resolves.toEqual({
        status: "failed",
        visible: {
          passed: 1,
          total: 1,
          details: [{ input: [[2, 7, 11, 15], 9], expected: [0, 1], actual: [0, 1], passed: true }],
        },
        hidden: { passed: 1, total: 2 },
        execMs: 42,
      });
    });

    it("an error and per-test messages in the answer are carried over", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) =>
        json(res, 200, {
          status: "error",
          visible: {
            passed: 0,
            total: 1,
            details: [{ input: [[1], 1], expected: [0, 0], actual: null, passed: false, message: "TypeError: x is undefined" }],
          },
          hidden: { passed: 0, total: 2 },
          exec_ms: 3,
          error: { kind: "runtime", message: "TypeError: x is undefined" },
        }),
      );

      await expect(evaluator.evaluateCode(codeRequest)).resolves.toEqual({
        status: "error",
        visible: {
          passed: 0,
          total: 1,
          details: [{ input: [[1], 1], expected: [0, 0], actual: null, passed: false, message: "TypeError: x is undefined" }],
        },
        hidden: { passed: 0, total: 2 },
        execMs: 3,
        error: { kind: "runtime", message: "TypeError: x is undefined" },
      });
    });

    it("optional fields sent as null are left out of the result", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) =>
        json(res, 200, {
          ...codeAnswer,
          visible: { ...codeAnswer.visible, details: [{ ...codeAnswer.visible.details[0], message: null }] },
          error: null,
        }),
      );

      const result = await evaluator.evaluateCode(codeRequest);

      expect(result).not.toHaveProperty("error");
      expect(result.visible.details[0]).not.toHaveProperty("message");
    });
  });

  describe("math", () => {
    it("evaluateMath POSTs the §9 body to /evaluate/math with the service headers", async () => {
      neighbour.route("POST", "/evaluate/math", (_req, res) => json(res, 200, { correct: true }));

      await evaluator.evaluateMath(mathRequest);

      const [request] = neighbour.requests;
      expect(request).toMatchObject({ method: "POST", path: "/evaluate/math" });
      expect(request!.body).toEqual({
        problem_id: "solve-quadratic",
        problem_type: "equation",
        user_answer: "x = 2 or x = 3",
        user_steps: ["(x-2)(x-3) = 0"],
        expected_answer: "2, 3",
        variables: ["x"],
        tolerance: 1e-6,
      });
      expect(request!.headers["x-service"]).toBe("curriculum-orchestrator");
      expect(request!.headers["x-request-id"]).toMatch(UUID);
      expect(request!.headers["authorization"]).toBe(`Bearer ${TOKEN}`);
    });

    it("a missing answer is sent as user_answer null", async () => {
      neighbour.route("POST", "/evaluate/math", (_req, res) => json(res, 200, { correct: false, error_type: "incomplete" }));

      await evaluator.evaluateMath({ ...mathRequest, userAnswer: null, userSteps: [] });

      expect(neighbour.requests[0]!.body).toMatchObject({ user_answer: null, user_steps: [] });
    });

    it("the answer is mapped to the camelCase MathEvaluation", async () => {
      neighbour.route("POST", "/evaluate/math", (_req, res) =>
        json(res, 200, { correct: false, feedback: "Check the sign of the root.", error_type: "wrong_answer", exec_ms: 7 }),
      );

      await expect(evaluator.evaluateMath(mathRequest)).resolves.toEqual({
        correct: false,
        feedback: "Check the sign of the root.",
        errorType: "wrong_answer",
        execMs: 7,
      });
    });

    it("a bare {correct} answer maps to a result without optional fields", async () => {
      neighbour.route("POST", "/evaluate/math", (_req, res) =>
        json(res, 200, { correct: true, feedback: null, error_type: null, exec_ms: null }),
      );

      await expect(evaluator.evaluateMath(mathRequest)).resolves.toEqual({ correct: true });
    });
  });

  describe("failures", () => {
    it("a POST that fails with 503 is not retried: the service is called once, then UPSTREAM_ERROR", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) => json(res, 503, { error: "busy" }));

      const error = await appErrorOf(evaluator.evaluateCode(codeRequest));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.status).toBe(502);
      expect(error.message).toBe("Evaluation service failed (status 503)");
      expect(neighbour.requests).toHaveLength(1);
    });

    it("a math POST that fails with 500 is not retried either", async () => {
      neighbour.route("POST", "/evaluate/math", (_req, res) => raw(res, 500, "text/plain", "Traceback: sympy exploded"));

      const error = await appErrorOf(evaluator.evaluateMath(mathRequest));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Evaluation service failed (status 500)");
      expect(error.message).not.toMatch(/Traceback|sympy/);
      expect(neighbour.requests).toHaveLength(1);
    });

    it("a POST whose connection drops before an answer is not retried", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) => {
        res.socket?.destroy();
      });

      const error = await appErrorOf(evaluator.evaluateCode(codeRequest));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Evaluation service failed (no response)");
      expect(neighbour.requests).toHaveLength(1);
    });

    it("a 404 from the evaluation service is an UPSTREAM_ERROR, not NOT_FOUND", async () => {
      const error = await appErrorOf(evaluator.evaluateCode(codeRequest));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Evaluation service failed (status 404)");
      expect(neighbour.requests).toHaveLength(1);
    });

    it("when the evaluation service answers after the timeout, the call fails with UPSTREAM_TIMEOUT", async () => {
      const impatient = new HttpEvaluator({ baseUrl: neighbour.url, timeoutMs: 200 });
      neighbour.route("POST", "/evaluate/code", (_req, res) => jsonAfter(res, 2_000, 200, codeAnswer));

      const started = Date.now();
      const error = await appErrorOf(impatient.evaluateCode(codeRequest));

      expect(error.code).toBe("UPSTREAM_TIMEOUT");
      expect(error.status).toBe(504);
      expect(error.message).toBe("Evaluation service did not answer within 200 ms");
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(neighbour.requests).toHaveLength(1);
    });

    it.each<[string, string, (res: ServerResponse) => void]>([
      ["a code answer missing hidden results", "/evaluate/code", (res) => json(res, 200, { status: "passed", visible: codeAnswer.visible, exec_ms: 1 })],
      ["a code answer with an unknown status", "/evaluate/code", (res) => json(res, 200, { ...codeAnswer, status: "kinda" })],
      ["a code answer with an unknown error kind", "/evaluate/code", (res) => json(res, 200, { ...codeAnswer, error: { kind: "cosmic-ray", message: "?" } })],
      ["an HTML page for code", "/evaluate/code", (res) => raw(res, 200, "text/html", "<html><body>502 Bad Gateway</body></html>")],
      ["broken JSON for code", "/evaluate/code", (res) => raw(res, 200, "application/json", '{"status": "passed",')],
      ["a math answer without correct", "/evaluate/math", (res) => json(res, 200, { feedback: "looks fine" })],
      ["a math answer with correct as a string", "/evaluate/math", (res) => json(res, 200, { correct: "yes" })],
      ["an unknown math error_type", "/evaluate/math", (res) => json(res, 200, { correct: false, error_type: "vibes" })],
      ["an HTML page for math", "/evaluate/math", (res) => raw(res, 200, "text/html", "<!doctype html><title>oops</title>")],
    ])("when the evaluation service answers %s, the call fails with UPSTREAM_ERROR", async (_label, path, answer) => {
      neighbour.route("POST", path, (_req, res) => answer(res));

      const call = path === "/evaluate/code" ? evaluator.evaluateCode(codeRequest) : evaluator.evaluateMath(mathRequest);
      const error = await appErrorOf(call);

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Evaluation service returned an unexpected response");
      expect(neighbour.requests).toHaveLength(1);
    });

    it("when nothing listens on the evaluation service's port, the call fails with UPSTREAM_ERROR", async () => {
      const unreachable = new HttpEvaluator({ baseUrl: await closedPortUrl(), timeoutMs: 2_000 });

      const error = await appErrorOf(unreachable.evaluateMath(mathRequest));

      expect(error.code).toBe("UPSTREAM_ERROR");
      expect(error.message).toBe("Evaluation service failed (no response)");
    });
  });

  describe("cancellation", () => {
    it("an already aborted signal rejects with its reason and sends nothing", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) => json(res, 200, codeAnswer));
      const controller = new AbortController();
      const reason = new Error("learner left");
      controller.abort(reason);

      await expect(evaluator.evaluateCode(codeRequest, controller.signal)).rejects.toBe(reason);
      expect(neighbour.requests).toHaveLength(0);
    });

    it("aborting while the evaluation service is working rejects with the caller's reason, not an upstream error", async () => {
      const arrived = new Promise<void>((resolve) =>
        neighbour.route("POST", "/evaluate/math", (_req, res) => {
          resolve();
          return jsonAfter(res, 2_000, 200, { correct: true });
        }),
      );
      const controller = new AbortController();
      const reason = new Error("request cancelled");

      const call = evaluator.evaluateMath(mathRequest, controller.signal);
      await arrived;
      controller.abort(reason);

      await expect(call).rejects.toBe(reason);
    });

    it("a signal that is never aborted does not disturb the call", async () => {
      neighbour.route("POST", "/evaluate/code", (_req, res) => json(res, 200, codeAnswer));

      await expect(evaluator.evaluateCode(codeRequest, new AbortController().signal)).resolves.toMatchObject({
        status: "failed",
      });
    });
  });

  it("close resolves", async () => {
    await expect(evaluator.close()).resolves.toBeUndefined();
  });
});
