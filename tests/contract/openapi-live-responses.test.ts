import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codingProblem, mathProblem } from "../support/learning.js";
import { startTestApp, type TestApp } from "../support/test-app.js";

// ajv-formats is CommonJS with a default export; under NodeNext its default import is the module.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

type Schema = Record<string, unknown>;
type Operation = { responses: Record<string, { content?: Record<string, { schema: Schema }> }> };
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

const DAY_MS = 24 * 60 * 60 * 1000;
let clockOffsetMs = 0;
let app: TestApp;
let document: Document;

/**
 * Validates a live answer against the document: the schema of that operation's response for
 * that status, with the document's components beside it so its `$ref`s resolve. An
 * undocumented status, or a JSON body where none is documented, is a failure too.
 */
class DocumentValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly seen = new Set<string>();

  constructor(private readonly doc: Document) {
    addFormats(this.ajv);
  }

  /** The problems with `body` as `status` of `method template`, or [] when it matches the document. */
  problems(method: string, template: string, status: number, contentType: string | null, body: unknown): string[] {
    const operation = this.doc.paths[template]?.[method.toLowerCase()];
    if (!operation) return [`${method} ${template} is not in the document`];
    const response = operation.responses[String(status)];
    if (!response) return [`${method} ${template} answered ${status}, which is not documented (${Object.keys(operation.responses).join(", ")})`];
    if (!response.content) return body === undefined ? [] : [`${status} is documented without a body`];
    const mediaType = (contentType ?? "").split(";")[0]!.trim();
    const schema = response.content[mediaType]?.schema;
    if (!schema) return [`${method} ${template} ${status} answered ${mediaType}, documented: ${Object.keys(response.content).join(", ")}`];
    const key = `${method} ${template} ${status} ${mediaType}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile({ ...schema, components: this.doc.components });
      this.compiled.set(key, validate);
    }
    this.seen.add(`${method.toLowerCase()} ${template}`);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || "(body)"} ${error.message} ${JSON.stringify(error.params)}`);
  }
}

let validator: DocumentValidator;
let token: string;

/** Every request of the loop goes through here, so every answer is checked against the document. */
async function call<T = Record<string, unknown>>(
  method: string,
  template: string,
  options: { params?: Record<string, string>; query?: Record<string, string>; json?: unknown; headers?: Record<string, string>; auth?: boolean; raw?: string } = {},
): Promise<{ status: number; body: T }> {
  let path = template;
  for (const [name, value] of Object.entries(options.params ?? {})) path = path.replace(`{${name}}`, encodeURIComponent(value));
  const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
  const headers: Record<string, string> = { ...(options.auth === false ? {} : { authorization: `Bearer ${token}` }), ...options.headers };
  if (options.json !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${app.url}${path}${query}`, {
    method,
    headers,
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : options.raw !== undefined ? { body: options.raw } : {}),
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  expect(validator.problems(method, template, response.status, response.headers.get("content-type"), body), `${method} ${path} → ${response.status} ${text.slice(0, 300)}`).toEqual([]);
  return { status: response.status, body: body as T };
}

beforeAll(async () => {
  app = await startTestApp({ clock: { now: () => new Date(Date.now() + clockOffsetMs) } });
  document = (await (await fetch(`${app.url}/openapi.json`)).json()) as Document;
  validator = new DocumentValidator(document);
  token = await app.tokenFor("openapi-live");
});
afterAll(() => app.close());

type Item = Record<string, unknown> & { id: string };

describe("live answers of a whole learning loop match the served document", () => {
  it("when a learner goes from tracks to a tutor hint, every answer matches its operation's documented schema", async () => {
    await call("GET", "/health", { auth: false });
    await call("GET", "/health/ready", { auth: false });

    const tracks = (await call<{ items: Item[] }>("GET", "/v1/tracks", { query: { subject: "coding" } })).body.items;
    const coding = codingProblem();
    const track = tracks.find((candidate) => candidate.slug === coding.track)!;
    await call("GET", "/v1/tracks/{id}", { params: { id: track.id } });
    await call("GET", "/v1/tracks/{id}/problems", { params: { id: track.id } });
    await call("GET", "/v1/problems/{id}", { params: { id: coding.id } });

    const codingSession = (await call<Item>("POST", "/v1/sessions", { json: { subject: "coding", mode: "practice", problem_id: coding.id } })).body;
    const broken = await call<Item>("POST", "/v1/submissions", {
      json: { session_id: codingSession.id, problem_id: coding.id, subject: "coding", payload: { language: "javascript", code: "function (" } },
    });
    expect(broken.body.feedback).not.toBeNull();
    const passed = await call<Item>("POST", "/v1/submissions", {
      json: { session_id: codingSession.id, problem_id: coding.id, subject: "coding", payload: { language: "javascript", code: coding.reference_solutions!.javascript } },
      headers: { "Idempotency-Key": `live-${codingSession.id}` },
    });
    expect(passed.body.status).toBe("passed");
    await call("GET", "/v1/submissions/{id}", { params: { id: passed.body.id } });
    await call("GET", "/v1/submissions", { query: { session_id: codingSession.id } });

    const math = mathProblem();
    const mathSession = (await call<Item>("POST", "/v1/sessions", { json: { subject: "math", problem_id: math.id } })).body;
    const wrong = await call<Item>("POST", "/v1/submissions", {
      json: { session_id: mathSession.id, problem_id: math.id, subject: "math", payload: { expression: `(${math.solution!}) + 1` } },
    });
    expect(wrong.body.status).toBe("failed");
    await call("POST", "/v1/submissions", {
      json: { session_id: mathSession.id, problem_id: math.id, subject: "math", payload: { expression: math.solution!, steps: [math.solution!] } },
    });
    await call("GET", "/v1/sessions/{id}", { params: { id: mathSession.id } });
    await call("GET", "/v1/sessions", { query: { status: "active", limit: "5" } });
    await call("GET", "/v1/mastery");
    await call("GET", "/v1/mastery", { query: { key_type: "outcome" } });

    const tutor = await call<{ stream_url: string }>("POST", "/v1/tutor/messages", {
      json: { session_id: codingSession.id, problem_id: coding.id, hint_level: 2, message: "Why did the first attempt fail?" },
    });
    expect(tutor.status).toBe(202);
    await call("PATCH", "/v1/sessions/{id}", { params: { id: codingSession.id }, json: { action: "advance" } });

    const path = (await call<{ id: string; tasks: Item[] }>("POST", "/v1/study-paths", { json: { track_id: track.slug, initial_tasks: 2 } })).body;
    expect(path.tasks).toHaveLength(2);
    const batch = await call<{ items: Item[] }>("POST", "/v1/study-tasks/batch", {
      json: { path_id: path.id, tasks: [{ problem_id: coding.id, difficulty: coding.difficulty, scheduled_at: new Date().toISOString(), metadata: { source: "live" } }] },
    });
    await call("GET", "/v1/study-paths/current");
    await call("GET", "/v1/study-tasks/next");
    await call("GET", "/v1/study-tasks", { query: { path_id: path.id } });
    await call("POST", "/v1/study-tasks/{id}/start", { params: { id: path.tasks[0]!.id } });
    await call("POST", "/v1/study-tasks/{id}/skip", { params: { id: batch.body.items[0]!.id } });
    await call("GET", "/v1/study-tasks/{id}/events", { params: { id: path.tasks[0]!.id } });
    await call("GET", "/v1/study-tasks/export", { query: { format: "json" } });

    // Days later the failed math problem is due for review.
    clockOffsetMs = 3 * DAY_MS;
    const due = await call<{ items: Item[] }>("GET", "/v1/study-tasks/review-due");
    expect(due.body.items.map((item) => item.problem_id)).toContain(math.id);
    await call("GET", "/v1/study-paths/{id}/progress", { params: { id: path.id } });
  });

  it("when requests go wrong, the errors match the documented envelope for their status", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    expect((await call("GET", "/v1/sessions/{id}", { params: { id: unknown } })).status).toBe(404);
    expect((await call("GET", "/v1/tracks", { auth: false })).status).toBe(401);
    expect((await call("GET", "/v1/sessions", { query: { limit: "1000" } })).status).toBe(400);
    const essay = await call("POST", "/v1/submissions", { json: { session_id: unknown, problem_id: "p", subject: "systems", payload: { text: "…" } } });
    expect(essay.status).toBe(400);
    expect((await call("POST", "/v1/submissions", { raw: "subject=coding", headers: { "content-type": "text/plain" } })).status).toBe(415);
    const session = (await call<Item>("POST", "/v1/sessions", { json: { subject: "math", problem_id: mathProblem().id } })).body;
    await call("PATCH", "/v1/sessions/{id}", { params: { id: session.id }, json: { action: "giveup" } });
    expect((await call("PATCH", "/v1/sessions/{id}", { params: { id: session.id }, json: { action: "advance" } })).status).toBe(409);
  });

  it("covers every operation of the document that answers JSON on success", () => {
    const documented = Object.entries(document.paths).flatMap(([template, item]) =>
      Object.entries(item)
        .filter(([, operation]) => Object.entries(operation.responses).some(([status, response]) => status < "300" && response.content?.["application/json"]))
        .map(([method]) => `${method} ${template}`),
    );
    expect(documented.filter((operation) => !validator.seen.has(operation))).toEqual([]);
  });
});

describe("the validator bites", () => {
  const track = () => ({
    id: "7d0f5b1e-4a3c-4b7e-9a55-0f1e2d3c4b5a",
    slug: "t",
    subject: "coding",
    title: "T",
    modules: [{ id: "m", title: "M", outcomes: [] }],
    labels: [],
    version: "v1",
    created_at: "2026-01-01T00:00:00.000Z",
  });

  it("accepts a well-formed Track and refuses one with a wrong enum, a bad date or a missing field", () => {
    const check = (body: unknown) => validator.problems("GET", "/v1/tracks/{id}", 200, "application/json", body);
    expect(check(track())).toEqual([]);
    expect(check({ ...track(), subject: "biology" })).not.toEqual([]);
    expect(check({ ...track(), created_at: "yesterday" })).not.toEqual([]);
    const { slug: _slug, ...withoutSlug } = track();
    expect(check(withoutSlug)).not.toEqual([]);
  });

  it("refuses an undocumented status and an envelope with an unknown code", () => {
    expect(validator.problems("GET", "/v1/tracks/{id}", 418, "application/json", {})).not.toEqual([]);
    const envelope = { error: { code: "TEAPOT", message: "no", details: {} } };
    expect(validator.problems("GET", "/v1/tracks/{id}", 404, "application/json", envelope)).not.toEqual([]);
  });
});
