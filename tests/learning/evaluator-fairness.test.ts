import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codingBody, codingProblem, openSession, submissionCount, submit, type SubmissionBody } from "../support/learning.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

const SLOW = { timeout: 90_000 };
const problem = codingProblem();
const reference = problem.reference_solutions!;
const entrypoint = problem.entrypoint!;
// Each one holds a sandbox for the whole per-test budget (2 s) before it times out.
const loops = {
  javascript: `function ${entrypoint.javascript}() { for (;;) {} }`,
  python: `def ${entrypoint.python}(*args):\n    while True:\n        pass\n`,
};

type Language = "javascript" | "python";

/** One user floods: `count` infinite loops at once, all on the same session. */
async function flood(app: TestApp, user: string, language: Language, count: number) {
  const session = await openSession(app, user, problem);
  return Array.from({ length: count }, () => submit(app, user, codingBody(session.id, problem, loops[language], language)));
}

/** Another user's correct submission, and how long it took to be graded. */
async function timedReference(app: TestApp, user: string, language: Language): Promise<{ ms: number; body: SubmissionBody; status: number }> {
  const session = await openSession(app, user, problem);
  const started = performance.now();
  const response = await submit(app, user, codingBody(session.id, problem, reference[language], language));
  return { ms: Math.round(performance.now() - started), body: response.body, status: response.status };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("a fair evaluator: one user in evaluation at a time", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { CO_EVAL_POOL_SIZE: "2", CO_EVAL_MAX_PER_USER: "1", CO_EVAL_QUEUE_LIMIT: "16" } });
    // Both pools loaded (Pyodide takes a few seconds), so the timings below are the queue's.
    await timedReference(app, "warm-js", "javascript");
    await timedReference(app, "warm-py", "python");
  }, 60_000);
  afterAll(() => app.close());

  for (const language of ["javascript", "python"] as const) {
    it(`when one user floods the ${language} sandboxes with four infinite loops, another user's submission is graded promptly`, SLOW, async () => {
      const flooding = await flood(app, `flooder-${language}`, language, 4);
      await settle();
      const victim = await timedReference(app, `victim-${language}`, language);
      console.info(`${language}: another user's submission graded in ${victim.ms} ms during a flood of 4 loops`);
      expect(victim.status).toBe(200);
      expect(victim.body.status).toBe("passed");
      // Unfair, it would wait for a loop's 2 s budget at least (4 s was measured before).
      expect(victim.ms).toBeLessThan(1500);

      // The flooder's own loops are not refused, only run one after another: each times out.
      const results = await Promise.all(flooding);
      expect(results.map((response) => [response.status, response.body.status])).toEqual(Array(4).fill([200, "timeout"]));
      expect(results.every((response) => response.body.hidden.categories.includes("timeout"))).toBe(true);
    });
  }
});

describe("a fair evaluator: the control, with one user allowed every sandbox", () => {
  it("when one user may hold both sandboxes, the same flood makes another user wait for a loop's budget", SLOW, async () => {
    const app = await startTestApp({ env: { CO_EVAL_POOL_SIZE: "2", CO_EVAL_MAX_PER_USER: "2" } });
    try {
      await timedReference(app, "warm", "javascript");
      const flooding = await flood(app, "flooder", "javascript", 4);
      await settle();
      const victim = await timedReference(app, "victim", "javascript");
      console.info(`control: another user's submission graded in ${victim.ms} ms`);
      expect(victim.body.status).toBe("passed");
      expect(victim.ms).toBeGreaterThan(1500);
      await Promise.all(flooding);
    } finally {
      await app.close();
    }
  });
});

describe("a fair evaluator: a bounded queue", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ env: { CO_EVAL_POOL_SIZE: "1", CO_EVAL_MAX_PER_USER: "1", CO_EVAL_QUEUE_LIMIT: "2" } });
    await timedReference(app, "warm", "javascript");
  }, 60_000);
  afterAll(() => app.close());

  it("when the queue is full, REST answers 503 UNAVAILABLE with Retry-After, tRPC the same, and nothing is stored", SLOW, async () => {
    // One runs, two wait: the queue is full.
    const flooding = await flood(app, "q-flooder", "javascript", 3);
    await settle();
    const session = await openSession(app, "q-other", problem);
    const refused = await submit(app, "q-other", codingBody(session.id, problem, reference.javascript));
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe("UNAVAILABLE");
    expect(refused.body.error.message).toMatch(/busy; retry in \d+ s/);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    const response = await fetch(`${app.url}/trpc/submissions.create`, {
      method: "POST",
      headers: { ...(await app.authFor("q-other")), "content-type": "application/json" },
      body: JSON.stringify({ json: { session_id: session.id, problem_id: problem.id, subject: "coding", payload: { language: "javascript", code: reference.javascript } } }),
    });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await submissionCount(app, "q-other")).toBe(0);

    const results = await Promise.all(flooding);
    expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
    expect(await submissionCount(app, "q-flooder")).toBe(3);

    // Once it drains, the same submission is graded.
    const later = await submit(app, "q-other", codingBody(session.id, problem, reference.javascript));
    expect(later.status).toBe(200);
    expect(later.body.status).toBe("passed");
  });
});
