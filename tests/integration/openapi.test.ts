import { FAILURE_CATEGORIES, LANGUAGES } from "@co/shared";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/src/trpc/app-router.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

type Schema = { $ref?: string; [key: string]: unknown };
type Operation = {
  parameters?: { in: string; name: string; required?: boolean; schema: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema & { properties?: Record<string, Schema> }> };
};

/** Every `$ref` anywhere under `value`. */
function refsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (key === "$ref" && typeof inner === "string") found.add(inner);
      else refsIn(inner, found);
    }
  }
  return found;
}

const operations = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => ({ path, method, operation })));

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

describe("the document names its shapes for generated clients", () => {
  let document: Document;
  beforeAll(async () => {
    document = (await http<Document>(`${app.url}/openapi.json`)).body;
  });
  const schemaOf = (path: string, method: string, status: string) =>
    document.paths[path]![method]!.responses[status]!.content!["application/json"]!.schema;
  const component = (name: string) => document.components.schemas[name]!;

  it("puts the domain shapes in components and the operations refer to them", () => {
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(["Track", "Session", "SubmissionResult", "StudyTask", "StudyPath", "ErrorEnvelope", "Problem", "MasteryItem", "ReviewItem", "TaskEvent"]),
    );
    expect(schemaOf("/v1/tracks/{id}", "get", "200").$ref).toBe("#/components/schemas/Track");
    expect(schemaOf("/v1/sessions", "post", "201").$ref).toBe("#/components/schemas/Session");
    expect(schemaOf("/v1/submissions", "post", "200").$ref).toBe("#/components/schemas/SubmissionResult");
    expect(schemaOf("/v1/problems/{id}", "get", "200").$ref).toBe("#/components/schemas/Problem");
    expect(schemaOf("/v1/study-tasks/next", "get", "200").$ref).toBe("#/components/schemas/StudyTask");
    expect(refsIn(schemaOf("/v1/mastery", "get", "200"))).toContain("#/components/schemas/MasteryItem");
    expect(refsIn(schemaOf("/v1/study-tasks/review-due", "get", "200"))).toContain("#/components/schemas/ReviewItem");
  });

  it("resolves every $ref, and keeps no schema that contradicts the envelope", () => {
    for (const ref of refsIn(document)) {
      expect(ref).toMatch(/^#\/components\/(schemas|securitySchemes)\//);
      expect(document.components.schemas[ref.replace("#/components/schemas/", "")], ref).toBeDefined();
    }
    expect(Object.keys(document.components.schemas).filter((name) => name.startsWith("error."))).toEqual([]);
    const error = component("ErrorEnvelope").properties!.error as { required: string[] };
    expect(error.required).toEqual(["code", "message", "details"]);
  });

  it("describes the submission body as a oneOf of coding and math, chosen by subject", () => {
    const body = document.paths["/v1/submissions"]!.post!.requestBody!.content["application/json"]!.schema;
    expect(body.oneOf).toEqual([{ $ref: "#/components/schemas/CodingSubmission" }, { $ref: "#/components/schemas/MathSubmission" }]);
    expect(body.discriminator).toEqual({
      propertyName: "subject",
      mapping: { coding: "#/components/schemas/CodingSubmission", math: "#/components/schemas/MathSubmission" },
    });
    const coding = component("CodingSubmission").properties!;
    expect(coding.subject).toMatchObject({ const: "coding" });
    expect(coding.payload).toMatchObject({ required: ["language", "code"], additionalProperties: false });
    const math = component("MathSubmission").properties!;
    expect(math.subject).toMatchObject({ const: "math" });
    expect(Object.keys((math.payload as { properties: object }).properties)).toEqual(["expression", "steps"]);
    expect((math.payload as { required?: string[] }).required).toBeUndefined();
  });

  it("declares Idempotency-Key as a header on the operation that honours it, and only there", () => {
    const withHeader = operations(document).filter(({ operation }) => operation.parameters?.some((p) => p.in === "header" && p.name === "Idempotency-Key"));
    expect(withHeader.map(({ method, path }) => `${method} ${path}`)).toEqual(["post /v1/submissions"]);
    const header = withHeader[0]!.operation.parameters!.find((p) => p.name === "Idempotency-Key")!;
    expect(header.required ?? false).toBe(false);
    expect(header.schema).toMatchObject({ type: "string", maxLength: 255 });
  });

  it("gives categories, feedback, hint_level and language their real types", () => {
    const result = component("SubmissionResult").properties!;
    const hidden = result.hidden as { properties: { categories: { items: Schema } } };
    expect(hidden.properties.categories.items.enum).toEqual([...FAILURE_CATEGORIES]);
    expect(result.feedback).toEqual({ anyOf: [{ $ref: "#/components/schemas/SubmissionFeedback" }, { type: "null" }] });
    expect(component("SubmissionFeedback")).toMatchObject({ type: "object", required: ["message"] });
    expect(result.language).toMatchObject({ anyOf: [{ type: "string", enum: [...LANGUAGES] }, { type: "null" }] });
    expect(result.created_at).toEqual({ type: "string", format: "date-time" });
    const tutorBody = document.paths["/v1/tutor/messages"]!.post!.requestBody!.content["application/json"]!.schema as { properties: Record<string, Schema> };
    expect(tutorBody.properties.hint_level).toMatchObject({ type: "integer", minimum: 1, maximum: 3, enum: [1, 2, 3] });
  });

  it("documents 415 with the envelope exactly where the server answers 415 to a body that is not JSON", async () => {
    const headers = { ...(await app.authFor("openapi-415")), "content-type": "text/plain" };
    const documented: string[] = [];
    for (const { path, method, operation } of operations(document)) {
      if (!path.startsWith("/v1/")) continue;
      const url = `${app.url}${path.replace(/\{id\}/g, "00000000-0000-4000-8000-000000000000")}`;
      const { status, body } = await http<{ error: { code: string } }>(url, { method: method.toUpperCase(), headers, body: method === "get" ? undefined : "hello" });
      const has415 = operation.responses["415"] !== undefined;
      expect(has415, `${method} ${path} answered ${status}`).toBe(status === 415);
      if (!has415) continue;
      documented.push(`${method} ${path}`);
      expect(operation.responses["415"]!.content!["application/json"]!.schema.$ref).toBe("#/components/schemas/ErrorEnvelope");
      expect(body.error.code).toBeTypeOf("string");
    }
    // Every operation with a JSON body is among them.
    for (const { path, method, operation } of operations(document)) {
      if (operation.requestBody?.content["application/json"]) expect(documented).toContain(`${method} ${path}`);
    }
    expect(documented.length).toBeGreaterThanOrEqual(6);
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
