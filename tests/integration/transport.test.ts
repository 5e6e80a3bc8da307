import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

const logLines: Record<string, unknown>[] = [];
const logSink = new Writable({
  write(chunk, _encoding, callback) {
    for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
    callback();
  },
});

let app: TestApp;
let auth: { authorization: string };
beforeAll(async () => {
  app = await startTestApp({ logDestination: logSink });
  auth = await app.authFor("transport-user");
});
afterAll(() => app.close());

describe("request ids", () => {
  it("echoes a client's X-Request-ID and puts it in every log line of the request", async () => {
    const response = await http(`${app.url}/v1/problems/does-not-exist`, { headers: { ...auth, "x-request-id": "req-abc-123" } });
    expect(response.headers.get("x-request-id")).toBe("req-abc-123");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = logLines.filter((line) => line.request_id === "req-abc-123");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.msg === "request completed" && line.status === 404)).toBe(true);
    expect(JSON.stringify(logLines)).not.toContain(auth.authorization.slice(7));
  });

  it("generates one when absent or unusable", async () => {
    const generated = await http(`${app.url}/health`);
    expect(generated.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await http(`${app.url}/health`, { headers: { "x-request-id": "x".repeat(129) } });
    expect(tooLong.headers.get("x-request-id")).not.toBe("x".repeat(129));
  });
});

describe("bodies and unknown paths", () => {
  it("answers 413 for a JSON body over 256 KiB: in the envelope on /v1, in tRPC's error shape on /trpc", async () => {
    const tooLarge = { method: "POST", headers: auth, json: { blob: "x".repeat(300 * 1024) } };
    const rest = await http<{ error: { code: string } }>(`${app.url}/v1/tracks`, tooLarge);
    expect(rest.status).toBe(413);
    expect(rest.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    // Refused before tRPC looks at the path or method (tracks.list is a query, not a POST).
    const trpc = await http<{ error: { json: { data: { app_code: string; httpStatus: number } } } }>(`${app.url}/trpc/tracks.list`, tooLarge);
    expect(trpc.status).toBe(413);
    expect(trpc.body.error.json.data).toMatchObject({ app_code: "PAYLOAD_TOO_LARGE", httpStatus: 413 });
  });

  it("answers 400 in the envelope for malformed JSON, saying where it stops parsing", async () => {
    const { status, body } = await http<{ error: { code: string; message: string } }>(`${app.url}/v1/tracks`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: '{"broken": ',
    });
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: "VALIDATION_ERROR",
      message: "Request body is not valid JSON: the JSON ends before its `}` at line 1, column 12 (position 11)",
      details: { position: 11, line: 1, column: 12, issues: [] },
    });
  });

  it("answers 404 in the envelope for unknown paths, inside and outside /v1", async () => {
    for (const path of ["/nope", "/v1/nope", "/v1/tracks/a/b/c"]) {
      const { status, body } = await http<{ error: { code: string } }>(`${app.url}${path}`, { headers: auth });
      expect(status, path).toBe(404);
      expect(body.error.code).toBe("NOT_FOUND");
    }
  });
});

describe("CORS", () => {
  it("allows a configured origin, with a preflight", async () => {
    const preflight = await fetch(`${app.url}/v1/tracks`, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:5173", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
  });

  it("in development, allows a preflight from the 127.0.0.1 form of a localhost origin", async () => {
    const dev = await startTestApp({ env: { CO_ENVIRONMENT: "development" }, db: app.db, redis: app.redis });
    try {
      for (const origin of ["http://127.0.0.1:5173", "http://127.0.0.1:3000", "http://localhost:5173"]) {
        const preflight = await fetch(`${dev.url}/trpc/tracks.list`, {
          method: "OPTIONS",
          headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
        });
        expect(preflight.status, origin).toBe(204);
        expect(preflight.headers.get("access-control-allow-origin"), origin).toBe(origin);
      }
    } finally {
      await dev.close();
    }
  });

  it("outside development, allows exactly the configured origins (no 127.0.0.1 twins)", async () => {
    const preflight = await fetch(`${app.url}/v1/tracks`, {
      method: "OPTIONS",
      headers: { origin: "http://127.0.0.1:5173", "access-control-request-method": "GET" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("gives an unlisted origin no CORS headers", async () => {
    const response = await fetch(`${app.url}/health`, { headers: { origin: "https://evil.example.com" } });
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("internal errors", () => {
  it("answer 500 INTERNAL with no message, stack or detail of the failure, on both faces", async () => {
    const catalog = app.deps.services.catalog;
    const original = catalog.list.bind(catalog);
    catalog.list = async () => {
      throw new Error("relation secret_table does not exist at /srv/db.ts:42");
    };
    try {
      const rest = await http<{ error: { code: string; message: string } }>(`${app.url}/v1/tracks`, {
        headers: { ...auth, "x-request-id": "req-internal-rest" },
      });
      expect(rest.status).toBe(500);
      expect(rest.body).toEqual({ error: { code: "INTERNAL", message: "Internal server error", details: {} } });
      const trpc = await fetch(`${app.url}/trpc/tracks.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, {
        headers: { ...auth, "x-request-id": "req-internal-trpc" },
      });
      expect(trpc.status).toBe(500);
      const text = await trpc.text();
      expect(text).not.toMatch(/secret_table|db\.ts|stack/);
      expect(JSON.parse(text).error.json.data.app_code).toBe("INTERNAL");
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Logged once per request, with its detail and the request's id, like every line of it.
      const errorLines = logLines.filter((line) => line.level === 50 && JSON.stringify(line).includes("secret_table"));
      expect(errorLines.map((line) => line.request_id).sort()).toEqual(["req-internal-rest", "req-internal-trpc"]);
      for (const id of ["req-internal-rest", "req-internal-trpc"]) {
        expect(logLines.some((line) => line.request_id === id && line.msg === "request completed" && line.status === 500)).toBe(true);
      }
    } finally {
      catalog.list = original;
    }
  });

  it("when a procedure's output fails its schema, both faces answer a logged, masked 500, never the client's 400", async () => {
    const catalog = app.deps.services.catalog;
    const original = catalog.list.bind(catalog);
    catalog.list = (async () => ({ items: [{ slug: 42, secret_column: "leak-me" }] })) as unknown as typeof catalog.list;
    try {
      const rest = await http<{ error: { code: string; message: string } }>(`${app.url}/v1/tracks`, {
        headers: { ...auth, "x-request-id": "req-output-rest" },
      });
      expect(rest.status).toBe(500);
      expect(rest.body).toEqual({ error: { code: "INTERNAL", message: "Internal server error", details: {} } });
      const trpc = await fetch(`${app.url}/trpc/tracks.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, {
        headers: { ...auth, "x-request-id": "req-output-trpc" },
      });
      expect(trpc.status).toBe(500);
      const text = await trpc.text();
      expect(text).not.toMatch(/leak-me|secret_column|issues/);
      expect(JSON.parse(text).error.json.data).toMatchObject({ app_code: "INTERNAL", httpStatus: 500, details: {} });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const errorLines = logLines.filter((line) => line.level === 50 && line.msg === "procedure failed");
      expect(errorLines.map((line) => line.request_id)).toEqual(expect.arrayContaining(["req-output-rest", "req-output-trpc"]));
    } finally {
      catalog.list = original;
    }
  });
});
