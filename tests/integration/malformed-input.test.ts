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
