import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../../server/src/trpc/app-router.js";
import { codingBody, codingProblem, openSession, submit } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createPath } from "../study/support/study-fixtures.js";

/**
 * One authorization matrix over the whole router tree. Every procedure is in exactly one of
 * the tables below, so a new procedure fails this file until someone decides which: a
 * procedure that takes an id or lists owned data is probed, on tRPC and REST, with the
 * victim's ids by another user; the rest say why they own nothing.
 */
const VICTIM = "matrix-victim";
const INTRUDER = "matrix-intruder";

interface VictimIds {
  session: string;
  submission: string;
  problem: string;
  path: string;
  task: string;
}

/** Procedures that take another user's id: input built from the victim's ids. */
const OWNED_BY_ID: Record<string, (ids: VictimIds) => Record<string, unknown>> = {
  "sessions.get": (ids) => ({ id: ids.session }),
  "sessions.update": (ids) => ({ id: ids.session, action: "giveup" }),
  "submissions.get": (ids) => ({ id: ids.submission }),
  "submissions.create": (ids) => ({ session_id: ids.session, problem_id: ids.problem, subject: "coding", payload: { language: "javascript", code: "1" } }),
  "tutor.createMessage": (ids) => ({ session_id: ids.session, problem_id: ids.problem, hint_level: 1 }),
  "studyPaths.progress": (ids) => ({ id: ids.path }),
  "studyTasks.createBatch": (ids) => ({ path_id: ids.path, tasks: [{ problem_id: ids.problem, difficulty: 1, scheduled_at: new Date().toISOString() }] }),
  "studyTasks.start": (ids) => ({ id: ids.task }),
  "studyTasks.skip": (ids) => ({ id: ids.task }),
  "studyTasks.events": (ids) => ({ id: ids.task }),
};

/** Procedures that list the caller's data: the intruder's answer must hold none of the victim's ids. */
const OWNED_LISTS: Record<string, (ids: VictimIds) => Record<string, unknown> | undefined> = {
  "sessions.list": () => ({}),
  "submissions.list": (ids) => ({ session_id: ids.session }),
  "mastery.list": () => ({}),
  "studyPaths.current": () => undefined,
  "studyTasks.next": () => undefined,
  "studyTasks.reviewDue": () => ({}),
  "studyTasks.list": (ids) => ({ path_id: ids.path }),
  "studyTasks.export": () => ({}),
};

/** Procedures that own nothing of a user's, or are covered by a test of their own, and why. */
const NOT_OWNED: Record<string, string> = {
  "health.check": "public liveness",
  "health.ready": "public readiness",
  "tracks.list": "catalog, the same for everyone",
  "tracks.get": "catalog",
  "tracks.problems": "catalog",
  "problems.get": "catalog (public view; hidden tests never leave the server)",
  "sessions.create": "creates the caller's own session; a foreign problem or track id is catalog",
  "studyPaths.create": "creates the caller's own path (tests/study/study-authorization.test.ts)",
  "tutor.stream": "SSE subscription by turn id, checked against the turn's owner in tests/tutor/tutor-subscription.test.ts",
};

type ProcedureDef = { type: "query" | "mutation" | "subscription"; meta?: { openapi?: { method: string; path: string } } };
const procedures = Object.entries((appRouter as unknown as { _def: { procedures: Record<string, { _def: ProcedureDef }> } })._def.procedures).map(
  ([path, procedure]) => ({ path, def: procedure._def }),
);

let app: TestApp;
let ids: VictimIds;
beforeAll(async () => {
  app = await startTestApp({ env: { CO_RATE_LIMIT_REQUESTS: "100000" } });
  const problem = codingProblem();
  const session = await openSession(app, VICTIM, problem);
  const submission = await submit(app, VICTIM, codingBody(session.id, problem, "function nope() {}"));
  const path = await createPath(app, VICTIM, { track_id: "coding-foundations", initial_tasks: 1 });
  ids = { session: session.id, submission: submission.body.id, problem: problem.id, path: path.id, task: path.tasks[0]!.id };
});
afterAll(() => app.close());

const victimIdsIn = (body: unknown) => {
  const text = JSON.stringify(body);
  return [ids.session, ids.submission, ids.path, ids.task].filter((id) => text.includes(id));
};

async function trpcCall(path: string, type: ProcedureDef["type"], input: unknown) {
  const headers = await app.authFor(INTRUDER);
  const payload = JSON.stringify({ json: input });
  return type === "query"
    ? http<{ error?: { json: { data: { app_code: string } } } }>(`${app.url}/trpc/${path}${input === undefined ? "" : `?input=${encodeURIComponent(payload)}`}`, { headers })
    : http<{ error?: { json: { data: { app_code: string } } } }>(`${app.url}/trpc/${path}`, { method: "POST", headers, json: { json: input } });
}

async function restCall(openapi: { method: string; path: string }, input: Record<string, unknown> = {}) {
  const rest = { ...input };
  const path = openapi.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = String(rest[name]);
    delete rest[name];
    return encodeURIComponent(value);
  });
  const headers = await app.authFor(INTRUDER);
  if (openapi.method === "GET") {
    const query = new URLSearchParams(Object.entries(rest).map(([key, value]) => [key, String(value)])).toString();
    return http<{ error?: { code: string } }>(`${app.url}/v1${path}${query ? `?${query}` : ""}`, { headers });
  }
  return http<{ error?: { code: string } }>(`${app.url}/v1${path}`, { method: openapi.method, headers, json: rest });
}

describe("authorization matrix over every procedure", () => {
  it("every procedure of the router tree is probed or declared as owning nothing, exactly once", () => {
    const declared = [...Object.keys(OWNED_BY_ID), ...Object.keys(OWNED_LISTS), ...Object.keys(NOT_OWNED)];
    expect(new Set(declared).size).toBe(declared.length);
    const missing = procedures.map(({ path }) => path).filter((path) => !declared.includes(path));
    expect(missing, "add each new procedure to OWNED_BY_ID, OWNED_LISTS or NOT_OWNED").toEqual([]);
    const stale = declared.filter((path) => !procedures.some((procedure) => procedure.path === path));
    expect(stale).toEqual([]);
  });

  for (const { path, def } of procedures.filter(({ path }) => path in OWNED_BY_ID)) {
    it(`${path}: another user's id answers 404 NOT_FOUND on tRPC${def.meta?.openapi ? " and REST" : ""}`, async () => {
      const input = OWNED_BY_ID[path]!(ids);
      const trpc = await trpcCall(path, def.type, input);
      expect(trpc.status, JSON.stringify(trpc.body)).toBe(404);
      expect(trpc.body.error?.json.data.app_code).toBe("NOT_FOUND");
      if (def.meta?.openapi) {
        const rest = await restCall(def.meta.openapi, input);
        expect(rest.status, JSON.stringify(rest.body)).toBe(404);
        expect(rest.body.error?.code).toBe("NOT_FOUND");
      }
    });
  }

  for (const { path, def } of procedures.filter(({ path }) => path in OWNED_LISTS)) {
    it(`${path}: another user sees none of the victim's data on tRPC${def.meta?.openapi ? " and REST" : ""}`, async () => {
      const input = OWNED_LISTS[path]!(ids);
      const trpc = await trpcCall(path, def.type, input);
      expect([200, 404], JSON.stringify(trpc.body)).toContain(trpc.status);
      expect(victimIdsIn(trpc.body)).toEqual([]);
      if (def.meta?.openapi) {
        const rest = await restCall(def.meta.openapi, input);
        expect([200, 404], JSON.stringify(rest.body)).toContain(rest.status);
        expect(victimIdsIn(rest.body)).toEqual([]);
      }
    });
  }

  it("the probes left the victim's session active and unchanged", async () => {
    const session = await http<{ status: string }>(`${app.url}/v1/sessions/${ids.session}`, { headers: await app.authFor(VICTIM) });
    expect(session.body.status).toBe("active");
  });
});
