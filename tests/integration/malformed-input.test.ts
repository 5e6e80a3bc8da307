import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
let authorization: string;
beforeAll(async () => {
  app = await startTestApp({ env: { CO_RATE_LIMIT_REQUESTS: "100000" } });
  authorization = (await app.authFor("fuzz-user")).authorization;
});
afterAll(() => app.close());

/** Every answer to garbage is a 4xx (or a 2xx) in the envelope: never a 500, never a crash. */
async function expectClientError(response: Response) {
  expect(response.status, await response.clone().text()).toBeLessThan(500);
  if (response.status >= 400) {
    const body = (await response.json()) as { error?: { code?: string; message?: string } };
    expect(body.error?.code).toEqual(expect.any(String));
    expect(body.error?.message).toEqual(expect.any(String));
  }
}

const POST_PATHS = ["/v1/sessions", "/v1/submissions", "/v1/tutor/messages", "/v1/study-paths", "/v1/study-tasks/batch"];
const GET_PATHS = ["/v1/tracks", "/v1/sessions", "/v1/submissions", "/v1/mastery", "/v1/tracks/coding-foundations/problems"];

describe("property: malformed input never yields a 500", () => {
  it("random JSON bodies to every POST endpoint", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_PATHS), fc.jsonValue(), async (path, body) => {
        const response = await fetch(`${app.url}${path}`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        await expectClientError(response);
      }),
      { numRuns: 150 },
    );
  });

  it("random raw bytes as a JSON body", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_PATHS), fc.string({ maxLength: 200 }), async (path, raw) => {
        const response = await fetch(`${app.url}${path}`, {
          method: "POST",
          headers: { authorization, "content-type": "application/json" },
          body: raw,
        });
        await expectClientError(response);
      }),
      { numRuns: 100 },
    );
  });

  it("random query strings and path segments", { timeout: 120_000 }, async () => {
    const param = fc.constantFrom("limit", "cursor", "subject", "label", "status", "module", "session_id", "key_type", "a[b]", "limit[]");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GET_PATHS),
        fc.array(fc.tuple(param, fc.string({ maxLength: 40 })), { maxLength: 4 }),
        fc.string({ maxLength: 30 }),
        async (path, pairs, segment) => {
          const query = pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join("&");
          await expectClientError(await fetch(`${app.url}${path}?${query}`, { headers: { authorization } }));
          await expectClientError(
            await fetch(`${app.url}/v1/sessions/${encodeURIComponent(segment)}`, { headers: { authorization } }),
          );
          await expectClientError(
            await fetch(`${app.url}/v1/problems/${encodeURIComponent(segment || "x")}`, { headers: { authorization } }),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("random headers: authorization, content type, request id, idempotency key", { timeout: 120_000 }, async () => {
    const printable = fc.string({ maxLength: 300 }).map((value) => value.replace(/[^\x20-\x7e]/g, ""));
    await fc.assert(
      fc.asyncProperty(printable, printable, printable, printable, async (auth, type, requestId, key) => {
        const response = await fetch(`${app.url}/v1/submissions`, {
          method: "POST",
          headers: { authorization: auth, "content-type": type || "text/plain", "x-request-id": requestId, "idempotency-key": key },
          body: "{}",
        });
        await expectClientError(response);
      }),
      { numRuns: 100 },
    );
  });

  it("random tRPC batch calls", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("sessions.create", "submissions.create", "tracks.get", "sessions.list,tracks.list", "nope.nope"),
        fc.jsonValue(),
        async (path, input) => {
          const response = await fetch(`${app.url}/trpc/${path}?batch=1`, {
            method: "POST",
            headers: { authorization, "content-type": "application/json" },
            body: JSON.stringify({ 0: { json: input }, 1: { json: input } }),
          });
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("hostile bodies are refused before any router sees them", () => {
  const deep = (levels: number) => "[".repeat(levels) + "]".repeat(levels);
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${app.url}${path}`, { method: "POST", headers: { authorization, "content-type": "application/json", ...headers }, body });

  it("when JSON is nested 5,000 levels deep, /v1 and /trpc answer 400 naming the limit", async () => {
    for (const [path, body] of [
      ["/v1/sessions", deep(5000)],
      ["/trpc/sessions.create", `{"json":${deep(5000)}}`],
      ["/trpc/sessions.create?batch=1", `{"0":{"json":${deep(5000)}}}`],
    ] as const) {
      const response = await post(path, body);
      expect(response.status, path).toBe(400);
      expect(JSON.stringify(await response.json())).toContain("nested deeper than 64 levels");
    }
    const query = await fetch(`${app.url}/trpc/tracks.list?input=${encodeURIComponent(deep(2000))}`, { headers: { authorization } });
    expect(query.status).toBe(400);
  });

  it("when a body claims gzip, deflate or br but is not, it is a 400; an unknown encoding is a 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    for (const encoding of ["gzip", "deflate", "br"]) {
      const response = await post("/v1/sessions", "certainly not compressed", { "content-encoding": encoding });
      expect(response.status, encoding).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(`not valid ${encoding}`);
      expect((await post("/trpc/sessions.create", "nope", { "content-encoding": encoding })).status).toBe(400);
    }
    const unknown = await post("/v1/sessions", "{}", { "content-encoding": "x-unknown" });
    expect(unknown.status).toBe(415);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("property: JSON that does not parse is a 400 saying where it stops, on /v1 and /trpc", { timeout: 120_000 }, async () => {
    // An empty body is no body (`{}`), not a syntax error.
    const unparsable = fc.string({ minLength: 1, maxLength: 60 }).filter((text) => {
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/v1/sessions", "/trpc/sessions.create"), unparsable, async (path, text) => {
        const response = await post(path, text);
        expect(response.status, text).toBe(400);
        const body = (await response.json()) as { error: { message?: string; details?: object; json?: { message: string; data: { details: object } } } };
        const message = body.error.json?.message ?? body.error.message;
        const details = body.error.json?.data.details ?? body.error.details;
        expect(message, text).toMatch(/^Request body (is not valid JSON: .+ at line \d+, column \d+ \(position \d+\)|must be a JSON object)$/);
        expect(details, text).toMatchObject({ position: expect.any(Number), line: expect.any(Number), column: expect.any(Number) });
      }),
      { numRuns: 200, seed: 20261203 },
    );
  });

  it("property: 10,000 hostile requests (deep nesting, bad encodings, random JSON) with a fixed seed give 0 × 500", { timeout: 120_000 }, async () => {
    const started = Date.now();
    let requests = 0;
    const statuses = new Map<number, number>();
    const send = async (path: string, body: string, headers: Record<string, string> = {}) => {
      const response = await post(path, body, headers);
      await response.arrayBuffer();
      requests++;
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      expect(response.status, `${path} ${body.slice(0, 80)}`).toBeLessThan(500);
    };
    const shape = fc.oneof(
      fc.integer({ min: 1, max: 6000 }).map((levels) => deep(levels)),
      fc.integer({ min: 1, max: 3000 }).map((levels) => '{"a":'.repeat(levels) + "1" + "}".repeat(levels)),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 100 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POST_PATHS, "/trpc/sessions.create", "/trpc/submissions.create?batch=1"),
        shape,
        fc.constantFrom("gzip", "deflate", "br", "x-unknown"),
        async (path, body, encoding) => {
          await Promise.all([
            send(path, body),
            send(path, body, { "content-encoding": encoding }),
            send(path.startsWith("/trpc") ? path : "/trpc/sessions.create", `{"json":${body}}`),
            send(path, `{"0":{"json":${body}}}`),
          ]);
        },
      ),
      { numRuns: 2500, seed: 20261202 },
    );
    expect(requests).toBeGreaterThanOrEqual(10_000);
    console.info(`malformed-input: ${requests} requests in ${Date.now() - started} ms, by status ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
