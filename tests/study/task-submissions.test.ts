import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submissions, taskEvaluations } from "../../server/src/db/schema/index.js";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { packProblem } from "../support/learning.js";
import type { TestApp } from "../support/test-app.js";
import { askForHint, createSession } from "../tutor/support/tutor-fixtures.js";
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
  app = await startStudyApp();
});
afterAll(() => app.close());

const countEvens = packProblem((problem) => problem.id === "count-evens");
const [other] = codingProblemsOf("strings");

const evaluationsOf = (taskId: string) => app.db.handle.db.select().from(taskEvaluations).where(eq(taskEvaluations.taskId, taskId));
const submissionsOf = async (userId: string) =>
  (await app.db.handle.db.select({ n: count() }).from(submissions).where(eq(submissions.userId, userId)))[0]!.n;

async function taskOf(user: string, id: string): Promise<TaskBody> {
  const list = await restAs(app, user).get<{ items: TaskBody[] }>("/study-tasks?limit=100");
  return list.body.items.find((task) => task.id === id)!;
}

async function oneTask(user: string, problemId = countEvens.id) {
  const path = await createPath(app, user);
  const [task] = await scheduleTasks(app, user, path.id, [{ problem_id: problemId, difficulty: 1, scheduled_at: daysFromNow(0) }]);
  return task!;
}

describe("a graded submission with task_id", () => {
  it("when the reference solution passes, completes the started task with score 1, its evaluation row and events", async () => {
    const user = "s-pass";
    const task = await oneTask(user);
    await restAs(app, user).post(`/study-tasks/${task.id}/start`);
    const submission = await submitForTask(app, user, task, "reference");
    expect(submission.status).toBe(200);
    expect(submission.body.status).toBe("passed");

    const done = await taskOf(user, task.id);
    expect(done).toMatchObject({ status: "completed", score: 1, completed_at: expect.any(String), started_at: expect.any(String) });
    expect(done.time_spent_seconds).toEqual(expect.any(Number));
    expect(done.time_spent_seconds).toBeGreaterThanOrEqual(0);

    const total = countEvens.visible_tests!.length + countEvens.hidden_tests.length;
    expect(await evaluationsOf(task.id)).toEqual([
      expect.objectContaining({
        submissionId: submission.body.id,
        language: "javascript",
        code: countEvens.reference_solutions!.javascript,
        testCasesPassed: total,
        testCasesTotal: total,
        errorMessage: null,
      }),
    ]);
    const events = await eventsOf(app, user, task.id);
    expect(events.map((event) => event.event_type)).toEqual(["created", "status_changed", "started", "submitted", "evaluated", "status_changed"]);
    expect(events[3]!.payload).toMatchObject({ submission_id: submission.body.id, language: "javascript" });
    expect(events[4]!.payload).toMatchObject({ submission_id: submission.body.id, status: "passed", tests_passed: total, tests_total: total, score: 1 });
    expect(events[5]!.payload).toMatchObject({ from: "in_progress", to: "completed" });
  });

  it("when a partly wrong solution is graded, completes the task with score = passed / total and no time spent if never started", async () => {
    const user = "s-partial";
    const task = await oneTask(user);
    const submission = await submitForTask(app, user, task, "function countEvens() { return 0; }");
    expect(submission.status).toBe(200);
    expect(submission.body.status).toBe("failed");
    const passed = submission.body.visible.passed + submission.body.hidden.passed;
    const total = submission.body.visible.total + submission.body.hidden.total;
    expect(passed).toBe(3);
    expect(total).toBe(9);
    const done = await taskOf(user, task.id);
    expect(done).toMatchObject({ status: "completed", score: 3 / 9, time_spent_seconds: null, started_at: null });
    expect(await evaluationsOf(task.id)).toEqual([expect.objectContaining({ testCasesPassed: 3, testCasesTotal: 9, metadata: { status: "failed" } })]);
    const events = await eventsOf(app, user, task.id);
    expect(events.at(-1)).toMatchObject({ event_type: "status_changed", payload: { from: "scheduled", to: "completed" } });
  });

  it("when the task is finished, or for another problem, answers 409 and stores no submission", async () => {
    const user = "s-409";
    const task = await oneTask(user);
    expect((await submitForTask(app, user, task, "reference")).status).toBe(200);
    const again = await submitForTask(app, user, task, "reference");
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "CONFLICT", details: { status: "completed" } });

    const skipped = await oneTask("s-409-skip");
    await restAs(app, "s-409-skip").post(`/study-tasks/${skipped.id}/skip`);
    expect((await submitForTask(app, "s-409-skip", skipped, "reference")).status).toBe(409);

    const mismatch = await oneTask("s-409-other", other!.id);
    const wrongProblem = await submitForTask(app, "s-409-other", { id: mismatch.id, problem_id: countEvens.id }, "reference");
    expect(wrongProblem.status).toBe(409);
    expect(wrongProblem.body).toMatchObject({ error: { code: "CONFLICT", details: { task_problem_id: other!.id } } });
    expect(await submissionsOf("s-409-skip")).toBe(0);
    expect(await submissionsOf("s-409-other")).toBe(0);
    expect(await evaluationsOf(mismatch.id)).toEqual([]);
  });

  it("when the task is someone else's or unknown, answers 404 and stores nothing", async () => {
    const task = await oneTask("s-owner");
    const foreign = await submitForTask(app, "s-intruder", task, "reference");
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.message).toMatch(/Study task/);
    const unknown = await submitForTask(app, "s-intruder", { id: crypto.randomUUID(), problem_id: countEvens.id }, "reference");
    expect(unknown.status).toBe(404);
    expect(await submissionsOf("s-intruder")).toBe(0);
    expect((await taskOf("s-owner", task.id)).status).toBe("scheduled");
  });

  it("when two submissions race for one task, only one completes it; the other answers 409 and is not stored", async () => {
    const user = "s-race";
    const task = await oneTask(user);
    const results = await Promise.all([submitForTask(app, user, task, "reference"), submitForTask(app, user, task, "reference")]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 409]);
    expect(await evaluationsOf(task.id)).toHaveLength(1);
    expect(await submissionsOf(user)).toBe(1);
    const events = await eventsOf(app, user, task.id);
    expect(events.filter((event) => event.event_type === "evaluated")).toHaveLength(1);
  });
});

describe("when the evaluation fails", () => {
  let neighbour: FakeNeighbour;
  let remote: TestApp;
  beforeAll(async () => {
    neighbour = await startFakeNeighbour();
    neighbour.route("POST", "/evaluate/code", (_request, response) => {
      response.statusCode = 500;
      response.end("boom");
    });
    remote = await startStudyApp({ db: app.db, redis: null, env: { CO_EVAL_BASE: neighbour.url } });
  });
  afterAll(async () => {
    await remote.close();
    await neighbour.close();
  });

  it("answers 502 and writes nothing to the task: no evaluation row, no event, still scheduled", async () => {
    const user = "s-upstream";
    const task = await oneTask(user);
    const response = await submitForTask(remote, user, task, "reference");
    expect(response.status).toBe(502);
    expect(response.body.error.code).toBe("UPSTREAM_ERROR");
    expect(await evaluationsOf(task.id)).toEqual([]);
    expect((await eventsOf(app, user, task.id)).map((event) => event.event_type)).toEqual(["created"]);
    expect(await taskOf(user, task.id)).toMatchObject({ status: "scheduled", score: null, completed_at: null });
  });
});

describe("a tutor hint with task_id", () => {
  it("adds one to hints_used and appends hint_requested {hint_level, turn_id}; another user's task is 404", async () => {
    const user = "s-hint";
    const task = await oneTask(user, "running-sum");
    const session = await createSession(app, user, { problemId: "running-sum" });
    const created = await askForHint(app, user, { session_id: session, problem_id: "running-sum", hint_level: 2, task_id: task.id });
    expect(created.status).toBe(202);
    expect((await taskOf(user, task.id)).hints_used).toBe(1);
    const events = await eventsOf(app, user, task.id);
    expect(events.at(-1)).toMatchObject({ event_type: "hint_requested", payload: { hint_level: 2, turn_id: created.body.turn_id } });

    const intruderSession = await createSession(app, "s-hint-intruder", { problemId: "running-sum" });
    const foreign = await askForHint(app, "s-hint-intruder", { session_id: intruderSession, problem_id: "running-sum", hint_level: 1, task_id: task.id });
    expect(foreign.status).toBe(404);
    expect((await taskOf(user, task.id)).hints_used).toBe(1);
  });
});
