import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codingBody, openSession, packProblem, submit } from "../support/learning.js";
import { http, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import {
  codingProblemsOf,
  createPath,
  daysFromNow,
  eventsOf,
  restAs,
  scheduleTasks,
  startStudyApp,
  type PathBody,
  type TaskBody,
} from "./support/study-fixtures.js";

const VICTIM = "authz-victim";
const INTRUDER = "authz-intruder";

let app: TestApp;
let victimPath: PathBody;
let victimTask: TaskBody;
let victimTaskIds: string[];
let intruderPath: PathBody;

const [victimProblem, intruderProblem] = codingProblemsOf("basics");

/** A failed graded submission outside any task: with bucket 0 of 0 days, a review item due at once. */
async function failOnce(user: string, problemId: string) {
  const problem = packProblem((candidate) => candidate.id === problemId);
  const session = await openSession(app, user, problem);
  const response = await submit(app, user, codingBody(session.id, problem, `function ${problem.entrypoint!.javascript}() { return "nope"; }`));
  if (response.status !== 200) throw new Error(`submission failed: ${response.status}`);
}

beforeAll(async () => {
  app = await startStudyApp({ env: { CO_REVIEW_BUCKETS: "0,3,7", CO_REVIEW_SCHEDULER: "buckets" } });
  // The intruder's path is the older one and the victim's task the earliest: a `current`,
  // `next`, `list` or `reviewDue` that forgot the user filter would answer the victim's.
  intruderPath = await createPath(app, INTRUDER, { track_id: "coding-foundations", initial_tasks: 1 });
  victimPath = await createPath(app, VICTIM, { track_id: "coding-foundations", initial_tasks: 1 });
  const [early] = await scheduleTasks(app, VICTIM, victimPath.id, [{ problem_id: victimProblem!.id, difficulty: 1, scheduled_at: daysFromNow(-1) }]);
  victimTask = early!;
  victimTaskIds = [...victimPath.tasks.map((task) => task.id), victimTask.id];
  await failOnce(VICTIM, victimProblem!.id);
  await failOnce(INTRUDER, intruderProblem!.id);
});
afterAll(() => app.close());

type Call = () => Promise<{ status: number; body: unknown }>;

/** Every REST study call that names a path or task id, as the intruder would send it with the victim's ids. */
const restCallsWithIds: [string, Call][] = [
  ["GET /v1/study-paths/{id}/progress", () => restAs(app, INTRUDER).get(`/study-paths/${victimPath.id}/progress`)],
  [
    "POST /v1/study-tasks/batch",
    () =>
      restAs(app, INTRUDER).post("/study-tasks/batch", {
        path_id: victimPath.id,
        tasks: [{ problem_id: victimTask.problem_id, difficulty: 1, scheduled_at: new Date().toISOString() }],
      }),
  ],
  ["GET /v1/study-tasks?path_id=", () => restAs(app, INTRUDER).get(`/study-tasks?path_id=${victimPath.id}`)],
  ["POST /v1/study-tasks/{id}/start", () => restAs(app, INTRUDER).post(`/study-tasks/${victimTask.id}/start`)],
  ["POST /v1/study-tasks/{id}/skip", () => restAs(app, INTRUDER).post(`/study-tasks/${victimTask.id}/skip`)],
  ["GET /v1/study-tasks/{id}/events", () => restAs(app, INTRUDER).get(`/study-tasks/${victimTask.id}/events`)],
  [
    "POST /v1/submissions with task_id",
    async () => {
      const problem = packProblem((candidate) => candidate.id === victimTask.problem_id);
      const session = await openSession(app, INTRUDER, problem);
      return restAs(app, INTRUDER).post("/submissions", { ...codingBody(session.id, problem, problem.reference_solutions!.javascript), task_id: victimTask.id });
    },
  ],
  [
    "POST /v1/tutor/messages with task_id",
    async () => {
      const problem = packProblem((candidate) => candidate.id === victimTask.problem_id);
      const session = await openSession(app, INTRUDER, problem);
      return restAs(app, INTRUDER).post("/tutor/messages", { session_id: session.id, problem_id: problem.id, hint_level: 1, task_id: victimTask.id });
    },
  ],
];

const trpcAs = async (user: string) => createTrpcClient(app.url, await app.tokenFor(user));

/** The same over tRPC: every study procedure that takes a path or task id. */
const trpcCallsWithIds: [string, () => Promise<unknown>][] = [
  ["studyPaths.progress", async () => (await trpcAs(INTRUDER)).studyPaths.progress.query({ id: victimPath.id })],
  [
    "studyTasks.createBatch",
    async () =>
      (await trpcAs(INTRUDER)).studyTasks.createBatch.mutate({
        path_id: victimPath.id,
        tasks: [{ problem_id: victimTask.problem_id, difficulty: 1, scheduled_at: new Date() }],
      }),
  ],
  ["studyTasks.list with path_id", async () => (await trpcAs(INTRUDER)).studyTasks.list.query({ path_id: victimPath.id })],
  ["studyTasks.start", async () => (await trpcAs(INTRUDER)).studyTasks.start.mutate({ id: victimTask.id })],
  ["studyTasks.skip", async () => (await trpcAs(INTRUDER)).studyTasks.skip.mutate({ id: victimTask.id })],
  ["studyTasks.events", async () => (await trpcAs(INTRUDER)).studyTasks.events.query({ id: victimTask.id })],
];

describe("another user's study path and task ids", () => {
  it.each(restCallsWithIds)("%s answers 404 NOT_FOUND, never 403", async (_name, call) => {
    const response = await call();
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it.each(trpcCallsWithIds)("over tRPC, %s fails NOT_FOUND", async (_name, call) => {
    await expect(call()).rejects.toMatchObject({ data: { app_code: "NOT_FOUND", httpStatus: 404 } });
  });
});

describe("the study procedures without ids show the intruder only their own", () => {
  it("REST: current, next, list, review-due and the export", async () => {
    const rest = restAs(app, INTRUDER);
    expect((await rest.get<PathBody>("/study-paths/current")).body.id).toBe(intruderPath.id);
    expect((await rest.get<TaskBody>("/study-tasks/next")).body.path_id).toBe(intruderPath.id);
    expect((await rest.get<{ items: TaskBody[] }>("/study-tasks")).body.items.map((task) => task.path_id)).toEqual([intruderPath.id]);
    const reviews = await rest.get<{ items: { problem_id: string }[] }>("/study-tasks/review-due");
    expect(reviews.body.items.map((item) => item.problem_id)).toEqual([intruderProblem!.id]);
    for (const format of ["json", "csv"]) {
      const exported = await http<string>(`${app.url}/v1/study-tasks/export?format=${format}`, { headers: await app.authFor(INTRUDER) });
      expect(exported.status).toBe(200);
      expect(JSON.stringify(exported.body)).toContain(intruderPath.tasks[0]!.id);
      for (const id of victimTaskIds) expect(JSON.stringify(exported.body)).not.toContain(id);
    }
  });

  it("tRPC: current, next, list, reviewDue and export", async () => {
    const client = await trpcAs(INTRUDER);
    expect((await client.studyPaths.current.query()).id).toBe(intruderPath.id);
    expect((await client.studyTasks.next.query()).path_id).toBe(intruderPath.id);
    expect((await client.studyTasks.list.query({})).items.map((task) => task.path_id)).toEqual([intruderPath.id]);
    expect((await client.studyTasks.reviewDue.query({ limit: 20 })).items.map((item) => item.problem_id)).toEqual([intruderProblem!.id]);
    expect((await client.studyTasks.export.query({})).items.map((task) => task.path_id)).toEqual([intruderPath.id]);
  });

  it("creating a path, on REST or tRPC, makes it the intruder's and leaves the victim's current path as it was", async () => {
    const rest = await restAs(app, INTRUDER).post<PathBody>("/study-paths", { track_id: "coding-foundations" });
    expect(rest.status).toBe(201);
    expect(rest.body.user_id).toBe(INTRUDER);
    const trpc = await (await trpcAs(INTRUDER)).studyPaths.create.mutate({ track_id: "coding-foundations", initial_tasks: 1 });
    expect(trpc.user_id).toBe(INTRUDER);
    expect((await restAs(app, VICTIM).get<PathBody>("/study-paths/current")).body.id).toBe(victimPath.id);
    expect((await (await trpcAs(VICTIM)).studyPaths.current.query()).id).toBe(victimPath.id);
  });

  it("left the victim's path, tasks and review items untouched", async () => {
    const tasks = await restAs(app, VICTIM).get<{ items: TaskBody[] }>("/study-tasks");
    expect(tasks.body.items.map((task) => task.id).sort()).toEqual([...victimTaskIds].sort());
    for (const task of tasks.body.items) expect(task).toMatchObject({ status: "scheduled", hints_used: 0, score: null });
    expect((await eventsOf(app, VICTIM, victimTask.id)).map((event) => event.event_type)).toEqual(["created"]);
    const reviews = await restAs(app, VICTIM).get<{ items: { problem_id: string }[] }>("/study-tasks/review-due");
    expect(reviews.body.items.map((item) => item.problem_id)).toEqual([victimProblem!.id]);
  });
});

/** Every study procedure, as REST sends it without a token. */
const anonymousRest: [string, string, string][] = [
  ["POST", "/v1/study-paths", JSON.stringify({ track_id: "coding-foundations" })],
  ["GET", "/v1/study-paths/current", ""],
  ["GET", `/v1/study-paths/${crypto.randomUUID()}/progress`, ""],
  ["POST", "/v1/study-tasks/batch", JSON.stringify({ path_id: crypto.randomUUID(), tasks: [] })],
  ["GET", "/v1/study-tasks/next", ""],
  ["GET", "/v1/study-tasks", ""],
  ["GET", "/v1/study-tasks/review-due", ""],
  ["POST", `/v1/study-tasks/${crypto.randomUUID()}/start`, ""],
  ["POST", `/v1/study-tasks/${crypto.randomUUID()}/skip`, ""],
  ["GET", `/v1/study-tasks/${crypto.randomUUID()}/events`, ""],
  ["GET", "/v1/study-tasks/export?format=csv", ""],
  ["GET", "/v1/study-tasks/export?format=json", ""],
];

/** Every study procedure over tRPC. */
const anonymousTrpc: [string, (client: ReturnType<typeof createTrpcClient>) => Promise<unknown>][] = [
  ["studyPaths.create", (client) => client.studyPaths.create.mutate({ track_id: "coding-foundations" })],
  ["studyPaths.current", (client) => client.studyPaths.current.query()],
  ["studyPaths.progress", (client) => client.studyPaths.progress.query({ id: crypto.randomUUID() })],
  [
    "studyTasks.createBatch",
    (client) => client.studyTasks.createBatch.mutate({ path_id: crypto.randomUUID(), tasks: [{ problem_id: "x", difficulty: 1, scheduled_at: new Date() }] }),
  ],
  ["studyTasks.next", (client) => client.studyTasks.next.query()],
  ["studyTasks.list", (client) => client.studyTasks.list.query({})],
  ["studyTasks.reviewDue", (client) => client.studyTasks.reviewDue.query({ limit: 5 })],
  ["studyTasks.start", (client) => client.studyTasks.start.mutate({ id: crypto.randomUUID() })],
  ["studyTasks.skip", (client) => client.studyTasks.skip.mutate({ id: crypto.randomUUID() })],
  ["studyTasks.events", (client) => client.studyTasks.events.query({ id: crypto.randomUUID() })],
  ["studyTasks.export", (client) => client.studyTasks.export.query({})],
];

describe("without a bearer token", () => {
  it.each(anonymousRest)("%s %s answers 401 UNAUTHORIZED", async (method, path, body) => {
    const response = await http(`${app.url}${path}`, {
      method,
      ...(body ? { headers: { "content-type": "application/json" }, body } : {}),
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });

  it.each(anonymousTrpc)("over tRPC, %s fails UNAUTHORIZED", async (_name, call) => {
    await expect(call(createTrpcClient(app.url))).rejects.toMatchObject({ data: { app_code: "UNAUTHORIZED", httpStatus: 401 } });
  });
});
