import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { studyTasks, tutorTurns } from "../../server/src/db/schema/index.js";
import type { TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";
import { askForHint, createSession, sessionOf } from "../tutor/support/tutor-fixtures.js";
import { createPath, daysFromNow, eventsOf, restAs, startStudyApp, submitForTask, type TaskBody } from "./support/study-fixtures.js";

let app: TestApp;
beforeAll(async () => {
  app = await startStudyApp();
});
afterAll(() => app.close());

const turnsOf = async (userId: string) =>
  (await app.db.handle.db.select({ n: count() }).from(tutorTurns).where(eq(tutorTurns.userId, userId)))[0]!.n;

const taskOf = async (user: string, id: string) =>
  (await restAs(app, user).get<{ items: TaskBody[] }>("/study-tasks")).body.items.find((task) => task.id === id)!;

/** A hint asked with the task's id; answers what the tutor endpoint answers. */
async function hintFor(user: string, task: Pick<TaskBody, "id" | "problem_id">) {
  const sessionId = await createSession(app, user, { problemId: task.problem_id });
  const response = await askForHint(app, user, { session_id: sessionId, problem_id: task.problem_id, hint_level: 2, task_id: task.id });
  return { response, sessionId };
}

/** Asserts the refused hint left no trace: no turn, no hint level, no count, no event. */
async function expectNothingWritten(user: string, taskId: string, sessionId: string, eventsBefore: string[]) {
  expect(await turnsOf(user)).toBe(0);
  expect((await sessionOf(app, sessionId)).lastHintLevel).toBe(0);
  expect((await taskOf(user, taskId)).hints_used).toBe(0);
  expect((await eventsOf(app, user, taskId)).map((event) => event.event_type)).toEqual(eventsBefore);
}

describe("a tutor hint on a finished study task", () => {
  it("when the task is completed, POST /v1/tutor/messages answers 409 naming the status and writes nothing", async () => {
    const user = "h-completed";
    const path = await createPath(app, user, { track_id: "coding-foundations", initial_tasks: 1 });
    const task = path.tasks[0]!;
    expect((await submitForTask(app, user, task, "reference")).status).toBe(200);
    const before = (await eventsOf(app, user, task.id)).map((event) => event.event_type);
    expect(before.at(-1)).toBe("status_changed");

    const { response, sessionId } = await hintFor(user, task);
    expect(response.status).toBe(409);
    expect(response.body.error).toMatchObject({ code: "CONFLICT", details: { status: "completed" } });
    expect(response.body.error.message).toContain("completed");
    await expectNothingWritten(user, task.id, sessionId, before);
  });

  it("when the task is skipped, answers 409 with status skipped and writes nothing", async () => {
    const user = "h-skipped";
    const path = await createPath(app, user, { track_id: "coding-foundations", initial_tasks: 1 });
    const task = path.tasks[0]!;
    await restAs(app, user).post(`/study-tasks/${task.id}/skip`);
    const before = (await eventsOf(app, user, task.id)).map((event) => event.event_type);
    const { response, sessionId } = await hintFor(user, task);
    expect(response.status).toBe(409);
    expect(response.body.error.details).toEqual({ status: "skipped" });
    await expectNothingWritten(user, task.id, sessionId, before);
  });

  it("when the task's week ran out, answers 409 with status expired, over tRPC as well", async () => {
    const user = "h-expired";
    const path = await createPath(app, user);
    const [row] = await app.db.handle.db
      .insert(studyTasks)
      .values({ pathId: path.id, problemId: "running-sum", module: "basics", difficulty: 1, scheduledAt: new Date(daysFromNow(-9)) })
      .returning();
    const sessionId = await createSession(app, user, { problemId: "running-sum" });
    const client = createTrpcClient(app.url, await app.tokenFor(user));
    await expect(
      client.tutor.createMessage.mutate({ session_id: sessionId, problem_id: "running-sum", hint_level: 1, task_id: row!.id }),
    ).rejects.toMatchObject({ data: { app_code: "CONFLICT", httpStatus: 409, details: { status: "expired" } } });
    expect(await turnsOf(user)).toBe(0);
    expect((await taskOf(user, row!.id)).hints_used).toBe(0);
  });

  it("while the task is in progress, the hint is still counted", async () => {
    const user = "h-in-progress";
    const path = await createPath(app, user, { track_id: "coding-foundations", initial_tasks: 1 });
    const task = path.tasks[0]!;
    await restAs(app, user).post(`/study-tasks/${task.id}/start`);
    const { response } = await hintFor(user, task);
    expect(response.status).toBe(202);
    expect((await taskOf(user, task.id)).hints_used).toBe(1);
    expect((await eventsOf(app, user, task.id)).at(-1)).toMatchObject({ event_type: "hint_requested", payload: { hint_level: 2 } });
  });
});
