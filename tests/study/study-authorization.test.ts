import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codingBody, openSession, packProblem } from "../support/learning.js";
import { http, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import { createPath, eventsOf, restAs, startStudyApp, type PathBody, type TaskBody } from "./support/study-fixtures.js";

const VICTIM = "authz-victim";
const INTRUDER = "authz-intruder";

let app: TestApp;
let victimPath: PathBody;
let victimTask: TaskBody;
let intruderPath: PathBody;

beforeAll(async () => {
  app = await startStudyApp();
  victimPath = await createPath(app, VICTIM, { track_id: "coding-foundations", initial_tasks: 2 });
  victimTask = victimPath.tasks[0]!;
  // The intruder has a path of their own, so "not found" cannot come from having none.
  intruderPath = await createPath(app, INTRUDER, { track_id: "coding-foundations", initial_tasks: 1 });
});
afterAll(() => app.close());

/** Every study call that names a path or task id, as the intruder would send it with the victim's ids. */
const restCalls: [string, () => Promise<{ status: number; body: unknown }>][] = [
  ["GET /v1/study-paths/{id}/progress", () => restAs(app, INTRUDER).get(`/study-paths/${victimPath.id}/progress`)],
  [
    "POST /v1/study-tasks/batch",
    () =>
      restAs(app, INTRUDER).post("/study-tasks/batch", {
        path_id: victimPath.id,
        tasks: [{ problem_id: victimTask.problem_id, difficulty: 1, scheduled_at: new Date().toISOString() }],
      }),
  ],
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

describe("another user's study path and task ids", () => {
  it.each(restCalls)("%s answers 404 NOT_FOUND, never 403", async (_name, call) => {
    const response = await call();
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("over tRPC, every study procedure taking an id fails NOT_FOUND", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor(INTRUDER));
    const notFound = { data: { app_code: "NOT_FOUND", httpStatus: 404 } };
    await expect(client.studyPaths.progress.query({ id: victimPath.id })).rejects.toMatchObject(notFound);
    await expect(
      client.studyTasks.createBatch.mutate({
        path_id: victimPath.id,
        tasks: [{ problem_id: victimTask.problem_id, difficulty: 1, scheduled_at: new Date() }],
      }),
    ).rejects.toMatchObject(notFound);
    await expect(client.studyTasks.start.mutate({ id: victimTask.id })).rejects.toMatchObject(notFound);
    await expect(client.studyTasks.skip.mutate({ id: victimTask.id })).rejects.toMatchObject(notFound);
    await expect(client.studyTasks.events.query({ id: victimTask.id })).rejects.toMatchObject(notFound);
  });

  it("the listing procedures and the export show the intruder only their own", async () => {
    const rest = restAs(app, INTRUDER);
    const victimIds = victimPath.tasks.map((task) => task.id);
    const list = await rest.get<{ items: TaskBody[] }>(`/study-tasks?path_id=${victimPath.id}`);
    expect(list.body.items).toEqual([]);
    expect((await rest.get<{ items: TaskBody[] }>("/study-tasks")).body.items.map((task) => task.path_id)).toEqual([intruderPath.id]);
    expect((await rest.get<TaskBody>("/study-tasks/next")).body.path_id).toBe(intruderPath.id);
    expect((await rest.get<PathBody>("/study-paths/current")).body.id).toBe(intruderPath.id);
    expect((await rest.get<{ items: unknown[] }>("/study-tasks/review-due")).body.items).toEqual([]);
    for (const format of ["json", "csv"]) {
      const exported = await http<string>(`${app.url}/v1/study-tasks/export?format=${format}`, { headers: await app.authFor(INTRUDER) });
      expect(exported.status).toBe(200);
      for (const id of victimIds) expect(JSON.stringify(exported.body)).not.toContain(id);
    }
    const client = createTrpcClient(app.url, await app.tokenFor(INTRUDER));
    expect((await client.studyTasks.export.query({})).items.map((task) => task.path_id)).toEqual([intruderPath.id]);
    expect((await client.studyTasks.list.query({ path_id: victimPath.id })).items).toEqual([]);
  });

  it("left the victim's path and tasks untouched", async () => {
    const tasks = await restAs(app, VICTIM).get<{ items: TaskBody[] }>("/study-tasks");
    expect(tasks.body.items).toHaveLength(2);
    for (const task of tasks.body.items) expect(task).toMatchObject({ status: "scheduled", hints_used: 0, score: null });
    expect((await eventsOf(app, VICTIM, victimTask.id)).map((event) => event.event_type)).toEqual(["created"]);
  });
});
