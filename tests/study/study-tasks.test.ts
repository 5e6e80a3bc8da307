import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mathProblem } from "../support/learning.js";
import type { TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import {
  codingProblemsOf,
  createPath,
  daysFromNow,
  eventsOf,
  restAs,
  scheduleTasks,
  startStudyApp,
  submitForTask,
  type TaskBody,
} from "./support/study-fixtures.js";

let app: TestApp;
beforeAll(async () => {
  // Buckets with a first interval of 0: a failed problem is due at once (the replaced §8.4 schedule).
  app = await startStudyApp({ env: { CO_REVIEW_BUCKETS: "0,3,7", CO_REVIEW_SCHEDULER: "buckets" } });
});
afterAll(() => app.close());

const [basicsA, basicsB, basicsC] = codingProblemsOf("basics");
const [stringsA] = codingProblemsOf("strings");

describe("studyTasks.createBatch", () => {
  it("schedules tasks in the request's order, defaults module and tags from the problem, and logs a created event each", async () => {
    const path = await createPath(app, "t-batch");
    const items = await scheduleTasks(app, "t-batch", path.id, [
      { problem_id: basicsA!.id, difficulty: 2, scheduled_at: "2030-01-02T09:00:00Z", metadata: { note: "warm-up" } },
      { problem_id: stringsA!.id, module: "revision", topic_tags: ["custom"], difficulty: 4, scheduled_at: "2030-01-01T09:00:00+02:00" },
    ]);
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({
      path_id: path.id,
      problem_id: basicsA!.id,
      module: "basics",
      topic_tags: basicsA!.topics,
      difficulty: 2,
      scheduled_at: "2030-01-02T09:00:00.000Z",
      status: "scheduled",
      started_at: null,
      completed_at: null,
      score: null,
      time_spent_seconds: null,
      hints_used: 0,
      metadata: { note: "warm-up" },
    });
    expect(items[1]).toMatchObject({ module: "revision", topic_tags: ["custom"], difficulty: 4, scheduled_at: "2030-01-01T07:00:00.000Z" });
    for (const task of items) {
      expect((await eventsOf(app, "t-batch", task.id)).map((event) => event.event_type)).toEqual(["created"]);
    }
  });

  it("answers 404 naming the problems that do not exist in the path's subject, and writes nothing", async () => {
    const path = await createPath(app, "t-unknown");
    const response = await restAs(app, "t-unknown").post("/study-tasks/batch", {
      path_id: path.id,
      tasks: [
        { problem_id: basicsA!.id, difficulty: 1, scheduled_at: daysFromNow(1) },
        { problem_id: "no-such-problem", difficulty: 1, scheduled_at: daysFromNow(1) },
        { problem_id: mathProblem().id, difficulty: 1, scheduled_at: daysFromNow(1) },
      ],
    });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("NOT_FOUND");
    expect(response.body.error.details.problem_ids).toEqual(["no-such-problem", mathProblem().id]);
    const list = await restAs(app, "t-unknown").get<{ items: TaskBody[] }>("/study-tasks");
    expect(list.body.items).toEqual([]);
  });

  it("answers 400 for a difficulty outside 1-5, an empty batch or a date without an offset; 413 over 100 tasks or 16 KiB of metadata", async () => {
    const path = await createPath(app, "t-invalid");
    const rest = restAs(app, "t-invalid");
    const task = { problem_id: basicsA!.id, difficulty: 1, scheduled_at: daysFromNow(1) };
    const badDifficulty = await rest.post("/study-tasks/batch", { path_id: path.id, tasks: [{ ...task, difficulty: 6 }] });
    expect(badDifficulty.status).toBe(400);
    expect(badDifficulty.body.error.details.issues).toEqual([expect.objectContaining({ path: "tasks.0.difficulty" })]);
    expect((await rest.post("/study-tasks/batch", { path_id: path.id, tasks: [{ ...task, difficulty: 0 }] })).status).toBe(400);
    expect((await rest.post("/study-tasks/batch", { path_id: path.id, tasks: [] })).status).toBe(400);
    const tooMany = await rest.post("/study-tasks/batch", { path_id: path.id, tasks: Array(101).fill(task) });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error.code).toBe("PAYLOAD_TOO_LARGE");
    const bigMetadata = await rest.post("/study-tasks/batch", { path_id: path.id, tasks: [{ ...task, metadata: { blob: "x".repeat(17_000) } }] });
    expect(bigMetadata.status).toBe(413);
    expect(bigMetadata.body.error.message).toContain("metadata");
    expect((await rest.post("/study-tasks/batch", { path_id: path.id, tasks: [{ ...task, scheduled_at: "tomorrow" }] })).status).toBe(400);
    expect((await rest.post("/study-tasks/batch", { path_id: "not-a-uuid", tasks: [task] })).status).toBe(400);
  });

  it("answers 404 for a path that is not the caller's", async () => {
    const path = await createPath(app, "t-owner");
    const response = await restAs(app, "t-thief").post("/study-tasks/batch", {
      path_id: path.id,
      tasks: [{ problem_id: basicsA!.id, difficulty: 1, scheduled_at: daysFromNow(1) }],
    });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toMatch(/Study path/);
  });
});

describe("studyTasks.next", () => {
  it("is the earliest scheduled task of the caller's active paths, skipping started and finished ones", async () => {
    const user = "t-next";
    const first = await createPath(app, user);
    const second = await createPath(app, user, { track_id: "coding-foundations" });
    const [later] = await scheduleTasks(app, user, first.id, [{ problem_id: basicsA!.id, difficulty: 1, scheduled_at: daysFromNow(3) }]);
    const [soon, sooner] = await scheduleTasks(app, user, second.id, [
      { problem_id: basicsB!.id, difficulty: 1, scheduled_at: daysFromNow(2) },
      { problem_id: basicsC!.id, difficulty: 1, scheduled_at: daysFromNow(1) },
    ]);
    const rest = restAs(app, user);
    expect((await rest.get<TaskBody>("/study-tasks/next")).body.id).toBe(sooner!.id);
    await rest.post(`/study-tasks/${sooner!.id}/start`);
    expect((await rest.get<TaskBody>("/study-tasks/next")).body.id).toBe(soon!.id);
    await rest.post(`/study-tasks/${soon!.id}/skip`);
    expect((await rest.get<TaskBody>("/study-tasks/next")).body.id).toBe(later!.id);
  });

  it("answers 404 when nothing is scheduled", async () => {
    const response = await restAs(app, "t-idle").get("/study-tasks/next");
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("NOT_FOUND");
  });
});

describe("studyTasks.list", () => {
  it("filters by module, status and schedule window, earliest first, with cursor paging", async () => {
    const user = "t-list";
    const path = await createPath(app, user);
    const tasks = await scheduleTasks(app, user, path.id, [
      { problem_id: basicsA!.id, difficulty: 1, scheduled_at: "2030-03-01T00:00:00Z" },
      { problem_id: basicsB!.id, difficulty: 1, scheduled_at: "2030-03-02T00:00:00Z" },
      { problem_id: stringsA!.id, difficulty: 1, scheduled_at: "2030-03-03T00:00:00Z" },
      { problem_id: basicsC!.id, difficulty: 1, scheduled_at: "2030-03-04T00:00:00Z" },
    ]);
    const rest = restAs(app, user);
    await rest.post(`/study-tasks/${tasks[1]!.id}/skip`);
    const ids = async (query: string) => (await rest.get<{ items: TaskBody[] }>(`/study-tasks${query}`)).body.items.map((task) => task.id);

    expect(await ids("")).toEqual(tasks.map((task) => task.id));
    expect(await ids("?module=basics")).toEqual([tasks[0]!.id, tasks[1]!.id, tasks[3]!.id]);
    expect(await ids("?status=skipped")).toEqual([tasks[1]!.id]);
    expect(await ids("?module=basics&status=scheduled")).toEqual([tasks[0]!.id, tasks[3]!.id]);
    expect(await ids("?from=2030-03-02T00:00:00Z&to=2030-03-04T00:00:00Z")).toEqual([tasks[1]!.id, tasks[2]!.id]);
    expect(await ids(`?path_id=${path.id}&from=2030-03-04T00:00:00Z`)).toEqual([tasks[3]!.id]);

    const first = await rest.get<{ items: TaskBody[]; next_cursor: string | null }>("/study-tasks?limit=3");
    expect(first.body.items.map((task) => task.id)).toEqual(tasks.slice(0, 3).map((task) => task.id));
    const second = await rest.get<{ items: TaskBody[]; next_cursor: string | null }>(`/study-tasks?limit=3&cursor=${first.body.next_cursor}`);
    expect(second.body.items.map((task) => task.id)).toEqual([tasks[3]!.id]);
    expect(second.body.next_cursor).toBeNull();
  });

  it("answers 400 for an unknown status, a bad date, a limit over 100 or a foreign cursor", async () => {
    const rest = restAs(app, "t-list-invalid");
    const status = await rest.get("/study-tasks?status=paused");
    expect(status.status).toBe(400);
    expect(status.body.error.code).toBe("VALIDATION_ERROR");
    expect(status.body.error.message).toContain("status");
    expect((await rest.get("/study-tasks?from=not-a-date")).status).toBe(400);
    // Only ISO-8601 date-times with an offset: no epoch numbers, no prose dates, no local times.
    for (const query of ["?from=0", "?to=1", "?from=March%201%202030", "?to=2030-03-01", "?from=2030-03-01T00:00:00"]) {
      const response = await rest.get(`/study-tasks${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.details.issues).toEqual([expect.objectContaining({ path: query.slice(1, query.indexOf("=")) })]);
    }
    expect((await rest.get("/study-tasks?limit=101")).status).toBe(400);
    expect((await rest.get("/study-tasks?cursor=garbage")).status).toBe(400);
  });

  it("when path_id is another user's or unknown, answers 404 like every path id", async () => {
    const path = await createPath(app, "t-list-owner");
    await scheduleTasks(app, "t-list-owner", path.id, [{ problem_id: basicsA!.id, difficulty: 1, scheduled_at: daysFromNow(1) }]);
    for (const pathId of [path.id, crypto.randomUUID()]) {
      const other = await restAs(app, "t-list-other").get(`/study-tasks?path_id=${pathId}`);
      expect(other.status).toBe(404);
      expect(other.body.error).toMatchObject({ code: "NOT_FOUND", message: "Study path not found" });
    }
    const own = await restAs(app, "t-list-owner").get<{ items: TaskBody[] }>(`/study-tasks?path_id=${path.id}`);
    expect(own.body.items).toHaveLength(1);
  });
});

describe("studyTasks.reviewDue", () => {
  it("lists the caller's review items due now, earliest first, up to the limit", async () => {
    const user = "t-review";
    const path = await createPath(app, user);
    const tasks = await scheduleTasks(app, user, path.id, [
      { problem_id: basicsA!.id, difficulty: 1, scheduled_at: daysFromNow(0) },
      { problem_id: basicsB!.id, difficulty: 1, scheduled_at: daysFromNow(0) },
    ]);
    for (const task of tasks) expect((await submitForTask(app, user, task, "wrong")).status).toBe(200);
    const due = await restAs(app, user).get<{ items: { problem_id: string; reason: string; bucket: number; next_due_at: string }[] }>(
      "/study-tasks/review-due",
    );
    expect(due.status).toBe(200);
    expect(due.body.items.map((item) => item.problem_id)).toEqual([basicsA!.id, basicsB!.id]);
    expect(due.body.items[0]).toMatchObject({ reason: "fail", bucket: 0 });
    expect(Date.parse(due.body.items[0]!.next_due_at)).toBeLessThanOrEqual(Date.now());
    const one = await restAs(app, user).get<{ items: unknown[] }>("/study-tasks/review-due?limit=1");
    expect(one.body.items).toHaveLength(1);
    expect((await restAs(app, user).get("/study-tasks/review-due?limit=0")).status).toBe(400);
    expect((await restAs(app, "t-review-other").get<{ items: unknown[] }>("/study-tasks/review-due")).body.items).toEqual([]);
  });
});

describe("studyTasks.start and skip", () => {
  it("start moves scheduled → in_progress with started_at and logs status_changed then started", async () => {
    const path = await createPath(app, "t-start", { track_id: "coding-foundations", initial_tasks: 1 });
    const task = path.tasks[0]!;
    const started = await restAs(app, "t-start").post<TaskBody>(`/study-tasks/${task.id}/start`);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ id: task.id, status: "in_progress", started_at: expect.any(String) });
    const events = await eventsOf(app, "t-start", task.id);
    expect(events.map((event) => [event.event_type, event.payload])).toEqual([
      ["created", { source: "initial_tasks" }],
      ["status_changed", { from: "scheduled", to: "in_progress" }],
      ["started", {}],
    ]);
  });

  it("skip works from scheduled and from in_progress, each with its status_changed event", async () => {
    const path = await createPath(app, "t-skip", { track_id: "coding-foundations", initial_tasks: 2 });
    const rest = restAs(app, "t-skip");
    expect((await rest.post<TaskBody>(`/study-tasks/${path.tasks[0]!.id}/skip`)).body.status).toBe("skipped");
    expect((await eventsOf(app, "t-skip", path.tasks[0]!.id)).map((event) => [event.event_type, event.payload])).toEqual([
      ["created", { source: "initial_tasks" }],
      ["status_changed", { from: "scheduled", to: "skipped" }],
    ]);
    await rest.post(`/study-tasks/${path.tasks[1]!.id}/start`);
    const skipped = await rest.post<TaskBody>(`/study-tasks/${path.tasks[1]!.id}/skip`);
    expect(skipped.body).toMatchObject({ status: "skipped", started_at: expect.any(String) });
    const events = await eventsOf(app, "t-skip", path.tasks[1]!.id);
    expect(events.at(-1)).toMatchObject({ event_type: "status_changed", payload: { from: "in_progress", to: "skipped" } });
  });

  it("answers 409 naming the status for a move the lifecycle does not allow, and logs nothing", async () => {
    const path = await createPath(app, "t-409", { track_id: "coding-foundations", initial_tasks: 1 });
    const rest = restAs(app, "t-409");
    const id = path.tasks[0]!.id;
    await rest.post(`/study-tasks/${id}/start`);
    const again = await rest.post(`/study-tasks/${id}/start`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "CONFLICT", details: { status: "in_progress" } });
    expect(again.body.error.message).toContain("in_progress");
    await rest.post(`/study-tasks/${id}/skip`);
    for (const action of ["start", "skip"]) {
      const response = await rest.post(`/study-tasks/${id}/${action}`);
      expect(response.status, action).toBe(409);
      expect(response.body.error.details).toEqual({ status: "skipped" });
    }
    expect((await eventsOf(app, "t-409", id)).map((event) => event.event_type)).toEqual(["created", "status_changed", "started", "status_changed"]);
  });

  it("when the task is completed, start and skip answer 409 naming the status and log nothing", async () => {
    const user = "t-409-completed";
    const path = await createPath(app, user, { track_id: "coding-foundations", initial_tasks: 1 });
    const task = path.tasks[0]!;
    expect((await submitForTask(app, user, task, "reference")).status).toBe(200);
    const before = await eventsOf(app, user, task.id);
    expect(before.at(-1)).toMatchObject({ event_type: "status_changed", payload: { from: "scheduled", to: "completed" } });
    for (const action of ["start", "skip"]) {
      const response = await restAs(app, user).post(`/study-tasks/${task.id}/${action}`);
      expect(response.status, action).toBe(409);
      expect(response.body.error).toMatchObject({ code: "CONFLICT", details: { status: "completed" } });
    }
    const client = createTrpcClient(app.url, await app.tokenFor(user));
    await expect(client.studyTasks.skip.mutate({ id: task.id })).rejects.toMatchObject({ data: { app_code: "CONFLICT", details: { status: "completed" } } });
    expect(await eventsOf(app, user, task.id)).toEqual(before);
    const [after] = (await restAs(app, user).get<{ items: TaskBody[] }>("/study-tasks")).body.items;
    expect(after).toMatchObject({ status: "completed", score: 1 });
  });

  it("answers 404 for an unknown task and 400 for an id that is not a uuid", async () => {
    const rest = restAs(app, "t-404");
    expect((await rest.post(`/study-tasks/${crypto.randomUUID()}/start`)).status).toBe(404);
    expect((await rest.post(`/study-tasks/${crypto.randomUUID()}/skip`)).status).toBe(404);
    expect((await rest.post("/study-tasks/nope/start")).status).toBe(400);
  });

  it("lets only one of two racing starts through", async () => {
    const path = await createPath(app, "t-race", { track_id: "coding-foundations", initial_tasks: 1 });
    const rest = restAs(app, "t-race");
    const id = path.tasks[0]!.id;
    const results = await Promise.all([rest.post(`/study-tasks/${id}/start`), rest.post(`/study-tasks/${id}/start`)]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
    expect((await eventsOf(app, "t-race", id)).filter((event) => event.event_type === "started")).toHaveLength(1);
  });
});

describe("studyTasks.events", () => {
  it("answers 404 for a task that does not exist", async () => {
    const response = await restAs(app, "t-events").get(`/study-tasks/${crypto.randomUUID()}/events`);
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("NOT_FOUND");
  });
});

describe("study tasks over tRPC", () => {
  it("schedules, lists, starts, skips and reads events with Dates", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor("t-trpc"));
    const path = await client.studyPaths.create.mutate({ track_id: "coding-foundations" });
    const { items } = await client.studyTasks.createBatch.mutate({
      path_id: path.id,
      tasks: [
        { problem_id: basicsA!.id, difficulty: 1, scheduled_at: new Date(Date.now() + 60_000) },
        { problem_id: basicsB!.id, difficulty: 2, scheduled_at: new Date(Date.now() + 120_000) },
      ],
    });
    expect(items[0]!.scheduled_at).toBeInstanceOf(Date);
    expect((await client.studyTasks.next.query()).id).toBe(items[0]!.id);
    const started = await client.studyTasks.start.mutate({ id: items[0]!.id });
    expect(started.started_at).toBeInstanceOf(Date);
    await client.studyTasks.skip.mutate({ id: items[1]!.id });
    const page = await client.studyTasks.list.query({ status: "skipped", from: new Date(Date.now() - 60_000) });
    expect(page.items.map((task) => task.id)).toEqual([items[1]!.id]);
    const events = await client.studyTasks.events.query({ id: items[0]!.id });
    expect(events.items.map((event) => event.event_type)).toEqual(["created", "status_changed", "started"]);
    expect(events.items[0]!.created_at).toBeInstanceOf(Date);
    expect((await client.studyTasks.reviewDue.query({ limit: 5 })).items).toEqual([]);
    await expect(client.studyTasks.start.mutate({ id: items[0]!.id })).rejects.toMatchObject({
      data: { app_code: "CONFLICT", httpStatus: 409, details: { status: "in_progress" } },
    });
    await expect(client.studyTasks.skip.mutate({ id: crypto.randomUUID() })).rejects.toMatchObject({ data: { app_code: "NOT_FOUND" } });
    await expect(client.studyTasks.list.query({ status: "paused" as never })).rejects.toMatchObject({ data: { app_code: "VALIDATION_ERROR" } });
  });

  it("answers the error cases with their codes: no current path, nothing next, unknown task, bad batch, limit 0", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor("t-trpc-errors"));
    const code = (app_code: string, httpStatus: number) => ({ data: { app_code, httpStatus } });
    await expect(client.studyPaths.current.query()).rejects.toMatchObject(code("NOT_FOUND", 404));
    await expect(client.studyTasks.next.query()).rejects.toMatchObject(code("NOT_FOUND", 404));
    await expect(client.studyTasks.events.query({ id: crypto.randomUUID() })).rejects.toMatchObject(code("NOT_FOUND", 404));
    const path = await client.studyPaths.create.mutate({ track_id: "coding-foundations" });
    const task = { problem_id: basicsA!.id, difficulty: 1, scheduled_at: new Date(Date.now() + 60_000) };
    await expect(client.studyTasks.createBatch.mutate({ path_id: path.id, tasks: [{ ...task, problem_id: "no-such-problem" }] })).rejects.toMatchObject({
      data: { app_code: "NOT_FOUND", httpStatus: 404, details: { problem_ids: ["no-such-problem"] } },
    });
    await expect(client.studyTasks.createBatch.mutate({ path_id: path.id, tasks: [{ ...task, difficulty: 6 }] })).rejects.toMatchObject(
      code("VALIDATION_ERROR", 400),
    );
    await expect(client.studyTasks.reviewDue.query({ limit: 0 })).rejects.toMatchObject(code("VALIDATION_ERROR", 400));
    await expect(client.studyTasks.list.query({ from: "2030-03-01" as never })).rejects.toMatchObject(code("VALIDATION_ERROR", 400));
    expect((await client.studyTasks.list.query({ path_id: path.id })).items).toEqual([]);
  });
});
