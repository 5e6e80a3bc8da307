import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";

let app: TestApp;
let auth: { authorization: string };

beforeAll(async () => {
  app = await startTestApp();
  auth = await app.authFor("learner-catalog");
});
afterAll(() => app.close());

describe("tracks over REST", () => {
  it("lists the three seeded tracks with their ordered modules", async () => {
    const { status, body } = await http<{ items: { slug: string; subject: string; modules: unknown[] }[] }>(
      `${app.url}/v1/tracks`,
      { headers: auth },
    );
    expect(status).toBe(200);
    const slugs = body.items.map((track) => track.slug);
    expect(slugs).toEqual(expect.arrayContaining(["coding-foundations", "math-foundations", "systems-design"]));
    const coding = body.items.find((track) => track.slug === "coding-foundations")!;
    expect(coding.modules.length).toBeGreaterThanOrEqual(6);
  });

  it("serves problems for every seeded track, the systems track's essays included", async () => {
    for (const slug of ["coding-foundations", "math-foundations", "systems-design"]) {
      const { status, body } = await http<{ items: { track: string; module: string | null }[] }>(`${app.url}/v1/tracks/${slug}/problems`, {
        headers: auth,
      });
      expect(status, slug).toBe(200);
      expect(body.items.length, slug).toBeGreaterThanOrEqual(3);
      expect(body.items.every((problem) => problem.track === slug && problem.module !== null)).toBe(true);
    }
  });

  it("filters by subject and by label", async () => {
    const bySubject = await http<{ items: { subject: string }[] }>(`${app.url}/v1/tracks?subject=math`, { headers: auth });
    expect(bySubject.body.items.length).toBeGreaterThan(0);
    expect(bySubject.body.items.every((track) => track.subject === "math")).toBe(true);

    const label = (await http<{ items: { labels: string[] }[] }>(`${app.url}/v1/tracks`, { headers: auth })).body.items[0]!.labels[0]!;
    const byLabel = await http<{ items: { labels: string[] }[] }>(`${app.url}/v1/tracks?label=${encodeURIComponent(label)}`, {
      headers: auth,
    });
    expect(byLabel.body.items.length).toBeGreaterThan(0);
    expect(byLabel.body.items.every((track) => track.labels.includes(label))).toBe(true);

    const none = await http<{ items: unknown[] }>(`${app.url}/v1/tracks?label=no-such-label`, { headers: auth });
    expect(none.body.items).toEqual([]);
  });

  it("rejects an unknown subject with a 400 naming the field", async () => {
    const { status, body } = await http<{ error: { code: string; message: string; details: { issues: { path: string }[] } } }>(
      `${app.url}/v1/tracks?subject=cooking`,
      { headers: auth },
    );
    expect(status).toBe(400);
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.details.issues[0]!.path).toBe("subject");
    expect(body.error.message).toContain("subject");
  });

  it("gets a track by slug and by uuid, with ISO dates", async () => {
    const bySlug = await http<{ id: string; slug: string; created_at: string }>(`${app.url}/v1/tracks/math-foundations`, {
      headers: auth,
    });
    expect(bySlug.status).toBe(200);
    expect(new Date(bySlug.body.created_at).toISOString()).toBe(bySlug.body.created_at);
    const byId = await http<{ slug: string }>(`${app.url}/v1/tracks/${bySlug.body.id}`, { headers: auth });
    expect(byId.status).toBe(200);
    expect(byId.body.slug).toBe("math-foundations");
  });

  it("answers 404 in the envelope for an unknown track", async () => {
    for (const key of ["no-such-track", "00000000-0000-4000-8000-000000000000"]) {
      const { status, body } = await http<{ error: { code: string } }>(`${app.url}/v1/tracks/${key}`, { headers: auth });
      expect(status).toBe(404);
      expect(body.error.code).toBe("NOT_FOUND");
    }
  });

  it("lists a track's problems in module order, filtered by module", async () => {
    const track = (await http<{ modules: { id: string }[] }>(`${app.url}/v1/tracks/coding-foundations`, { headers: auth })).body;
    const moduleOrder = track.modules.map((module) => module.id);
    const { status, body } = await http<{ items: { module: string; id: string }[] }>(
      `${app.url}/v1/tracks/coding-foundations/problems`,
      { headers: auth },
    );
    expect(status).toBe(200);
    expect(body.items.length).toBeGreaterThan(0);
    const ranks = body.items.map((problem) => moduleOrder.indexOf(problem.module));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

    const first = moduleOrder[0]!;
    const filtered = await http<{ items: { module: string }[] }>(`${app.url}/v1/tracks/coding-foundations/problems?module=${first}`, {
      headers: auth,
    });
    expect(filtered.body.items.length).toBeGreaterThan(0);
    expect(filtered.body.items.every((problem) => problem.module === first)).toBe(true);

    const unknown = await http(`${app.url}/v1/tracks/coding-foundations/problems?module=nope`, { headers: auth });
    expect(unknown.status).toBe(404);
  });
});

describe("problems over REST", () => {
  it("shows the public view only: no hints, solution, hidden tests or references", async () => {
    const list = await http<{ items: { id: string }[] }>(`${app.url}/v1/tracks/coding-foundations/problems`, { headers: auth });
    const id = list.body.items[0]!.id;
    const { status, body } = await http<Record<string, unknown>>(`${app.url}/v1/problems/${id}`, { headers: auth });
    expect(status).toBe(200);
    expect(body.id).toBe(id);
    expect(body.statement).toEqual(expect.any(String));
    expect(Array.isArray(body.visible_tests)).toBe(true);
    for (const secret of ["hints", "solution", "hidden_tests", "reference_solutions", "tolerance"]) {
      expect(body).not.toHaveProperty(secret);
    }
    const raw = JSON.stringify(body);
    const stored = await app.deps.services.catalog.getProblem(id);
    expect(raw).not.toContain("reference_solutions");
    expect(stored).not.toHaveProperty("hints");
  });

  it("never shows a math problem's expected answer", async () => {
    const list = await http<{ items: { id: string }[] }>(`${app.url}/v1/tracks/math-foundations/problems`, { headers: auth });
    const { body } = await http<Record<string, unknown>>(`${app.url}/v1/problems/${list.body.items[0]!.id}`, { headers: auth });
    expect(body).not.toHaveProperty("solution");
    expect(body).not.toHaveProperty("hints");
  });

  it("answers 404 for an unknown problem", async () => {
    const { status, body } = await http<{ error: { code: string; message: string } }>(`${app.url}/v1/problems/nope`, {
      headers: auth,
    });
    expect(status).toBe(404);
    expect(body.error).toEqual({ code: "NOT_FOUND", message: "Problem not found", details: {} });
  });
});

describe("mastery over REST", () => {
  it("is empty for a new learner and rejects a bad key_type", async () => {
    const empty = await http<{ items: unknown[] }>(`${app.url}/v1/mastery`, { headers: auth });
    expect(empty).toMatchObject({ status: 200, body: { items: [] } });
    const bad = await http<{ error: { code: string } }>(`${app.url}/v1/mastery?key_type=skill`, { headers: auth });
    expect(bad.status).toBe(400);
  });
});

describe("the same procedures over tRPC", () => {
  it("returns Dates through superjson and the same data as REST", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor("learner-catalog"));
    const tracks = await client.tracks.list.query({ subject: "coding" });
    expect(tracks.items[0]!.created_at).toBeInstanceOf(Date);
    const track = await client.tracks.get.query({ id: "coding-foundations" });
    expect(track.slug).toBe("coding-foundations");
    const problems = await client.tracks.problems.query({ id: track.id });
    const problem = await client.problems.get.query({ id: problems.items[0]!.id });
    expect(problem).not.toHaveProperty("hints");
  });

  it("puts the §5 code in error.data.app_code", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor("learner-catalog"));
    await expect(client.problems.get.query({ id: "nope" })).rejects.toMatchObject({
      data: { code: "NOT_FOUND", app_code: "NOT_FOUND", httpStatus: 404 },
      message: "Problem not found",
    });
  });
});

describe("health", () => {
  it("answers /health and /health/ready without a token", async () => {
    expect(await http(`${app.url}/health`)).toMatchObject({
      status: 200,
      body: { status: "healthy", service: "curriculum-orchestrator" },
    });
    const ready = await http<{ status: string; checks: Record<string, string> }>(`${app.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toBe("ok");
  });
});
