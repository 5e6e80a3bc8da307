import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/src/trpc/app-router.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
};

describe("/openapi.json", () => {
  it("is a valid OpenAPI 3 document", async () => {
    const { status, body } = await http<Document>(`${app.url}/openapi.json`);
    expect(status).toBe(200);
    expect(body.openapi).toMatch(/^3\./);
    const validator = new Validator();
    const result = await validator.validate(body as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("lists the public paths, health at the root and the rest under /v1", async () => {
    const { body } = await http<Document>(`${app.url}/openapi.json`);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(["/health", "/health/ready", "/v1/tracks", "/v1/tracks/{id}", "/v1/tracks/{id}/problems", "/v1/problems/{id}", "/v1/mastery"]),
    );
  });

  it("describes every error response with the envelope", async () => {
    const { body } = await http<Document>(`${app.url}/openapi.json`);
    let errorResponses = 0;
    for (const operations of Object.values(body.paths)) {
      for (const operation of Object.values(operations)) {
        for (const [code, response] of Object.entries(operation.responses)) {
          if (Number(code) < 400 || (operation === body.paths["/health/ready"]?.get && code === "503")) continue;
          errorResponses++;
          expect(response.content?.["application/json"]?.schema.$ref).toBe("#/components/schemas/ErrorEnvelope");
        }
      }
    }
    expect(errorResponses).toBeGreaterThan(10);
  });

  it("documents readiness's 503 with the readiness report, since that is what it answers", async () => {
    const { body } = await http<Document>(`${app.url}/openapi.json`);
    const responses = body.paths["/health/ready"]!.get!.responses;
    expect(responses["503"]?.content).toEqual(responses["200"]?.content);
  });
});

describe("/docs and /panel", () => {
  it("serves a docs page whose script comes from this server, not a CDN", async () => {
    const page = await http<string>(`${app.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('src="/docs/scalar.js"');
    expect(page.body).not.toMatch(/https?:\/\//);
    // Scalar's defaults that would reach scalar.com: fonts, the request proxy, the AI agent, Share/Deploy tools.
    expect(page.body).toContain('"withDefaultFonts":false');
    expect(page.body).toContain('"proxyUrl":""');
    expect(page.body).toContain('"agent":{"disabled":true}');
    expect(page.body).toContain('"showDeveloperTools":"never"');
    const script = await fetch(`${app.url}/docs/scalar.js`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });

  it("lists every procedure in the development panel, and the panel's transport reaches them", async () => {
    const page = await http<string>(`${app.url}/panel`);
    expect(page.status).toBe(200);
    const embedded = page.body.replaceAll('\\"', '"');
    const procedures = Object.keys(appRouter._def.procedures);
    expect(procedures.length).toBeGreaterThan(20);
    for (const name of procedures) {
      expect(embedded, name).toContain(`"pathFromRootRouter":${JSON.stringify(name.split("."))}`);
    }
    // The panel calls /trpc with superjson, as any tRPC client does.
    const input = encodeURIComponent(JSON.stringify({ json: { subject: "coding" } }));
    const call = await http<{ result: { data: { json: { items: unknown[] } } } }>(`${app.url}/trpc/tracks.list?input=${input}`, {
      headers: await app.authFor("panel-user"),
    });
    expect(call.status).toBe(200);
    expect(call.body.result.data.json.items.length).toBeGreaterThan(0);
  });

  it("points the panel's Monaco loader at this server, which serves that build", async () => {
    const page = await http<string>(`${app.url}/panel`);
    expect(page.body).not.toContain("cdn.jsdelivr.net");
    expect(page.body).toContain('"/panel/monaco/vs"');
    const loader = await fetch(`${app.url}/panel/monaco/vs/loader.js`);
    expect(loader.status).toBe(200);
    expect(await loader.text()).toContain("define");
    expect((await fetch(`${app.url}/panel/monaco/vs/no-such-file.js`)).status).toBe(404);
  });

  it("never serves the panel in production", async () => {
    const { generateKeyPair, exportSPKI } = await import("jose");
    const pem = await exportSPKI((await generateKeyPair("RS256")).publicKey);
    const prod = await startTestApp({ env: { CO_ENVIRONMENT: "production", CO_JWT_SECRET: "", CO_JWT_PUBLIC_KEY: pem, CO_STREAM_TOKEN_SECRET: "t".repeat(32) }, db: app.db, redis: null });
    try {
      expect((await http(`${prod.url}/panel`)).status).toBe(404);
      expect((await http(`${prod.url}/panel/monaco/vs/loader.js`)).status).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
