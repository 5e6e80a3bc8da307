import { Writable } from "node:stream";
import { createSubmissionInputSchema } from "@co/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../server/src/errors/app-error.js";
import { mathProblem } from "../support/learning.js";
import { startTestApp, type TestApp, type TestAppOptions } from "../support/test-app.js";

/**
 * The `/trpc` fast path against the official adapter: the same requests to an app with the fast
 * path and to one without (same database), expecting the same status, headers and body bytes.
 * Only the framing differs, and says who answered: the fast path writes one body with its
 * Content-Length, the adapter streams it chunked.
 */

// One frozen clock and an in-memory rate limiter per app: both apps count the same calls at the
// same instant, so their RateLimit-* numbers (and a 429's retry_after) agree to the second.
const frozen = new Date();
const clock = { now: () => new Date(frozen) };
const FRAMING = new Set(["date", "content-length", "transfer-encoding", "connection", "keep-alive"]);
const USER = "fast-path-user";
const MISSING_ID = "00000000-0000-4000-8000-000000000000";
const problem = mathProblem("expression");

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  chunked: boolean;
}

function sink(lines: Record<string, unknown>[]) {
  return new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      callback();
    },
  });
}

/** A pair of apps, one with the fast path and one without, over one database. */
async function startPair(env: Record<string, string>, shared?: TestApp) {
  const logs = { fast: [] as Record<string, unknown>[], adapter: [] as Record<string, unknown>[] };
  const common: TestAppOptions = { env, redis: null, clock };
  const fast = await startTestApp({ ...common, ...(shared ? { db: shared.db } : {}), logDestination: sink(logs.fast) });
  const adapter = await startTestApp({ ...common, db: fast.db, trpcFastPath: false, logDestination: sink(logs.adapter) });
  return { fast, adapter, logs };
}

type Pair = Awaited<ReturnType<typeof startPair>>;

async function send(app: TestApp, path: string, init: RequestInit): Promise<Answer> {
  const response = await fetch(`${app.url}${path}`, init);
  const body = Buffer.from(await response.arrayBuffer()).toString("latin1");
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!FRAMING.has(name)) headers[name] = value;
  });
  return { status: response.status, headers, body, chunked: response.headers.get("transfer-encoding") === "chunked" };
}

/** Sends one request to both apps (fast path first) and expects one answer; returns it. */
async function sameAnswer(pair: Pair, path: string, init: RequestInit & { expect: { status: number; answeredBy: "fast path" | "adapter" } }) {
  const { expect: expected, ...request } = init;
  const headers = { "x-request-id": "fast-path-diff", ...(request.headers as Record<string, string>) };
  const fast = await send(pair.fast, path, { ...request, headers });
  const adapter = await send(pair.adapter, path, { ...request, headers });
  expect(fast.status, path).toBe(expected.status);
  expect(fast.headers, path).toEqual(adapter.headers);
  expect(fast.body, path).toBe(adapter.body);
  expect(fast.status, path).toBe(adapter.status);
  expect(adapter.chunked, `${path}: the adapter streams`).toBe(true);
  expect(fast.chunked, `${path}: answered by the ${expected.answeredBy}`).toBe(expected.answeredBy === "adapter");
  return fast;
}

const query = (input: unknown) => `input=${encodeURIComponent(JSON.stringify(input))}`;
const bothEmpty = query({ 0: { json: {} }, 1: { json: {} } });
const post = (value: unknown, headers: Record<string, string>) => ({
  method: "POST",
  headers: { ...headers, "content-type": "application/json" },
  body: JSON.stringify(value),
});
const mathAnswer = (sessionId: string) => ({ session_id: sessionId, problem_id: problem.id, subject: "math", payload: { expression: problem.solution! } });

let pair: Pair;
let auth: { authorization: string };
let sessionId: string;

beforeAll(async () => {
  pair = await startPair({ CO_RATE_LIMIT_REQUESTS: "1000" });
  auth = await pair.fast.authFor(USER);
  // Set up through the services, not HTTP, so both apps' rate-limit counts stay in step.
  const services = pair.fast.deps.services;
  const session = await services.sessions.create(USER, { subject: "math", mode: "practice", problem_id: problem.id });
  sessionId = session.id;
  await services.submissions.create(USER, createSubmissionInputSchema.parse(mathAnswer(sessionId)), "fast-path-replay");
});
afterAll(async () => {
  await pair.adapter.close();
  await pair.fast.close();
});

describe("calls the fast path answers as the adapter does", () => {
  it("a single query", async () => {
    const answer = await sameAnswer(pair, `/trpc/tracks.list?${query({ json: {} })}`, { headers: auth, expect: { status: 200, answeredBy: "fast path" } });
    expect(JSON.parse(answer.body).result.data.json.items.length).toBeGreaterThan(0);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.headers.vary).toBe("trpc-accept, accept");
  });

  it("a batch of one (what httpBatchLink sends for a lone call)", async () => {
    const answer = await sameAnswer(pair, `/trpc/tracks.list?batch=1&${query({ 0: { json: {} } })}`, {
      headers: auth,
      expect: { status: 200, answeredBy: "fast path" },
    });
    expect(JSON.parse(answer.body)).toHaveLength(1);
  });

  it("a batch of 3 queries", async () => {
    const input = query({ 0: { json: {} }, 1: { json: {} }, 2: { json: { limit: 20 } } });
    const answer = await sameAnswer(pair, `/trpc/tracks.list,mastery.list,sessions.list?batch=1&${input}`, {
      headers: auth,
      expect: { status: 200, answeredBy: "fast path" },
    });
    expect(JSON.parse(answer.body)[2].result.data.json.items.map((item: { id: string }) => item.id)).toContain(sessionId);
  });

  it("a batch with a failing call answers 207 with the error item in place", async () => {
    const input = query({ 0: { json: {} }, 1: { json: { id: MISSING_ID } }, 2: { json: {} } });
    const answer = await sameAnswer(pair, `/trpc/tracks.list,sessions.get,mastery.list?batch=1&${input}`, {
      headers: auth,
      expect: { status: 207, answeredBy: "fast path" },
    });
    expect(JSON.parse(answer.body)[1].error.json.data).toMatchObject({ app_code: "NOT_FOUND", httpStatus: 404, path: "sessions.get" });
  });

  it("a batch without input, and a batch whose inputs leave a call out (its schema says what is missing)", async () => {
    await sameAnswer(pair, "/trpc/mastery.list,tracks.list?batch=1", { headers: auth, expect: { status: 400, answeredBy: "fast path" } });
    await sameAnswer(pair, `/trpc/mastery.list,tracks.list?batch=1&${query({ 1: { json: {} } })}`, {
      headers: auth,
      expect: { status: 207, answeredBy: "fast path" },
    });
  });

  it("a mutation, replayed by its Idempotency-Key", async () => {
    const answer = await sameAnswer(pair, "/trpc/submissions.create", {
      ...post({ json: mathAnswer(sessionId) }, { ...auth, "idempotency-key": "fast-path-replay" }),
      expect: { status: 200, answeredBy: "fast path" },
    });
    expect(JSON.parse(answer.body).result.data.json.status).toBeDefined();
  });

  it("a batch of mutations, one succeeding and one failing", async () => {
    const calls = { 0: { json: mathAnswer(sessionId) }, 1: { json: { id: MISSING_ID, action: "giveup" } } };
    await sameAnswer(pair, "/trpc/submissions.create,sessions.update?batch=1", {
      ...post(calls, { ...auth, "idempotency-key": "fast-path-replay" }),
      expect: { status: 207, answeredBy: "fast path" },
    });
  });

  it("input that fails validation, on a query and on a mutation", async () => {
    const invalid = await sameAnswer(pair, `/trpc/sessions.list?${query({ json: { limit: "many" } })}`, {
      headers: auth,
      expect: { status: 400, answeredBy: "fast path" },
    });
    expect(JSON.parse(invalid.body).error.json.data.app_code).toBe("VALIDATION_ERROR");
    await sameAnswer(pair, "/trpc/submissions.create", { ...post({ json: { subject: "math" } }, auth), expect: { status: 400, answeredBy: "fast path" } });
  });

  it("an unauthenticated call and batch answer 401", async () => {
    await sameAnswer(pair, `/trpc/mastery.list?${query({ json: {} })}`, { expect: { status: 401, answeredBy: "fast path" } });
    await sameAnswer(pair, "/trpc/mastery.list,sessions.list?batch=1", {
      headers: { authorization: "Bearer not-a-token" },
      expect: { status: 401, answeredBy: "fast path" },
    });
  });

  it("headers a procedure sets through ctx.response (the rate limit's), and CORS headers set before", async () => {
    const answer = await sameAnswer(pair, `/trpc/mastery.list?${query({ json: {} })}`, {
      headers: { ...auth, origin: "http://localhost:5173" },
      expect: { status: 200, answeredBy: "fast path" },
    });
    expect(answer.headers).toMatchObject({ "ratelimit-limit": "1000", "access-control-allow-origin": "http://localhost:5173" });
    expect(Number(answer.headers["ratelimit-remaining"])).toBeLessThan(1000);
  });
});

describe("calls the fast path leaves to the adapter", () => {
  it("an unknown procedure, alone or in a batch", async () => {
    await sameAnswer(pair, "/trpc/nope.nothing", { headers: auth, expect: { status: 404, answeredBy: "adapter" } });
    await sameAnswer(pair, "/trpc/tracks.list,nope.nothing?batch=1", { headers: auth, expect: { status: 207, answeredBy: "adapter" } });
    await sameAnswer(pair, "/trpc/tracks.list,mastery.list", { headers: auth, expect: { status: 404, answeredBy: "adapter" } });
  });

  it("a method that does not fit the procedure: POST to a query, GET of a mutation", async () => {
    await sameAnswer(pair, "/trpc/tracks.list", { ...post({ json: {} }, auth), expect: { status: 405, answeredBy: "adapter" } });
    await sameAnswer(pair, "/trpc/submissions.create", { headers: auth, expect: { status: 405, answeredBy: "adapter" } });
  });

  it("input that is not JSON or not the expected shape", async () => {
    await sameAnswer(pair, "/trpc/tracks.list?input=%7Boops", { headers: auth, expect: { status: 400, answeredBy: "adapter" } });
    await sameAnswer(pair, "/trpc/tracks.list?input=null", { headers: auth, expect: { status: 400, answeredBy: "adapter" } });
    await sameAnswer(pair, `/trpc/tracks.list?batch=1&${query([{ json: {} }])}`, { headers: auth, expect: { status: 400, answeredBy: "adapter" } });
    await sameAnswer(pair, `/trpc/tracks.list?batch=1&${query({ 0: "plain" })}`, { headers: auth, expect: { status: 400, answeredBy: "adapter" } });
    await sameAnswer(pair, `/trpc/tracks.list?${query({ json: {} })}&${query({ json: { subject: "math" } })}`, {
      headers: auth,
      expect: { status: 200, answeredBy: "adapter" },
    });
  });

  it("a body the parser refused, a body that is not JSON", async () => {
    await sameAnswer(pair, "/trpc/submissions.create", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: '{"json": ',
      expect: { status: 400, answeredBy: "adapter" },
    });
    await sameAnswer(pair, "/trpc/submissions.create", {
      method: "POST",
      headers: { ...auth, "content-type": "text/plain" },
      body: "hello",
      expect: { status: 415, answeredBy: "adapter" },
    });
  });

  it("a GET that says its body is not JSON", async () => {
    await sameAnswer(pair, `/trpc/tracks.list?${query({ json: {} })}`, {
      headers: { ...auth, "content-type": "application/octet-stream" },
      expect: { status: 405, answeredBy: "adapter" },
    });
  });

  it("batch other than absent or 1", async () => {
    await sameAnswer(pair, `/trpc/tracks.list?batch=true&${query({ json: {} })}`, { headers: auth, expect: { status: 200, answeredBy: "adapter" } });
  });

  it("a jsonl streaming request (trpc-accept)", async () => {
    const answer = await sameAnswer(pair, `/trpc/tracks.list?batch=1&${query({ 0: { json: {} } })}`, {
      headers: { ...auth, "trpc-accept": "application/jsonl" },
      expect: { status: 200, answeredBy: "adapter" },
    });
    expect(answer.body.split("\n").filter(Boolean).length).toBeGreaterThan(1);
  });
});

describe("failures inside procedures", () => {
  it("a call refused for now carries the Retry-After of responseMeta, alone and in a batch", async () => {
    const stubs = [pair.fast, pair.adapter].map((app) => {
      const catalog = app.deps.services.catalog;
      const original = catalog.list.bind(catalog);
      catalog.list = async () => {
        throw new AppError("UNAVAILABLE", "The catalog is busy", { retry_after: 2.5 });
      };
      return () => (catalog.list = original);
    });
    try {
      const alone = await sameAnswer(pair, `/trpc/tracks.list?${query({ json: {} })}`, { headers: auth, expect: { status: 503, answeredBy: "fast path" } });
      expect(alone.headers["retry-after"]).toBe("3");
      const batch = await sameAnswer(pair, `/trpc/tracks.list,mastery.list?batch=1&${bothEmpty}`, { headers: auth, expect: { status: 207, answeredBy: "fast path" } });
      expect(batch.headers["retry-after"]).toBe("3");
    } finally {
      for (const restore of stubs) restore();
    }
  });

  it("an internal failure answers a masked 500 item and is logged once per failing call, as the adapter logs it", async () => {
    const stubs = [pair.fast, pair.adapter].map((app) => {
      const mastery = app.deps.services.mastery;
      const original = mastery.list.bind(mastery);
      mastery.list = async () => {
        throw new Error("relation hidden_table does not exist");
      };
      return () => (mastery.list = original);
    });
    try {
      const requestId = "fast-path-internal";
      const answer = await sameAnswer(pair, `/trpc/tracks.list,mastery.list?batch=1&${bothEmpty}`, {
        headers: { ...auth, "x-request-id": requestId },
        expect: { status: 207, answeredBy: "fast path" },
      });
      expect(answer.body).not.toContain("hidden_table");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const failures = (lines: Record<string, unknown>[]) =>
        lines
          .filter((line) => line.request_id === requestId && line.level === 50)
          .map((line) => ({ msg: line.msg, path: line.path, err: (line.err as { message: string }).message }));
      expect(failures(pair.logs.fast)).toEqual([{ msg: "procedure failed", path: "mastery.list", err: "relation hidden_table does not exist" }]);
      expect(failures(pair.logs.fast)).toEqual(failures(pair.logs.adapter));
    } finally {
      for (const restore of stubs) restore();
    }
  });
});

describe("rate limiting", () => {
  it("the call over the limit answers 429 with Retry-After; a batch crossing the limit answers 207", { timeout: 30_000 }, async () => {
    const limited = await startPair({ CO_RATE_LIMIT_REQUESTS: "3", CO_RATE_LIMIT_WINDOW: "60" }, pair.fast);
    try {
      const limitedAuth = await limited.fast.authFor("fast-path-limited");
      const path = `/trpc/mastery.list?${query({ json: {} })}`;
      await sameAnswer(limited, path, { headers: limitedAuth, expect: { status: 200, answeredBy: "fast path" } });
      const crossing = await sameAnswer(limited, "/trpc/mastery.list,tracks.list,sessions.list?batch=1", {
        headers: limitedAuth,
        expect: { status: 207, answeredBy: "fast path" },
      });
      expect(crossing.headers["retry-after"]).toBe("60");
      const refused = await sameAnswer(limited, path, { headers: limitedAuth, expect: { status: 429, answeredBy: "fast path" } });
      expect(refused.headers).toMatchObject({ "ratelimit-limit": "3", "ratelimit-remaining": "0", "ratelimit-reset": "60", "retry-after": "60" });
      expect(JSON.parse(refused.body).error.json.data).toMatchObject({ app_code: "RATE_LIMITED", details: { retry_after: 60 } });
    } finally {
      await limited.adapter.close();
      await limited.fast.close();
    }
  });
});
