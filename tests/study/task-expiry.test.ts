import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { studyTasks } from "../../server/src/db/schema/index.js";
import type { TestApp } from "../support/test-app.js";
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

const [problem] = codingProblemsOf("basics");

/** A scheduled task written straight to the database, as an old one would sit there before any read. */
async function insertScheduled(pathId: string, scheduledAt: string, status: "scheduled" | "in_progress" = "scheduled") {
  const [row] = await app.db.handle.db
    .insert(studyTasks)
    .values({ pathId, problemId: problem!.id, module: "basics", difficulty: 1, scheduledAt: new Date(scheduledAt), status })
    .returning({ id: studyTasks.id });
  return row!.id;
}

describe("expiry, applied when read", () => {
  it("when a task is scheduled 8 days ago, it is expired from the first answer, with a status_changed event", async () => {
    const path = await createPath(app, "e-batch");
    const [task] = await scheduleTasks(app, "e-batch", path.id, [{ problem_id: problem!.id, difficulty: 1, scheduled_at: daysFromNow(-8) }]);
    expect(task!.status).toBe("expired");
    const events = await eventsOf(app, "e-batch", task!.id);
    expect(events.map((event) => [event.event_type, event.payload.from, event.payload.to])).toEqual([
      ["created", undefined, undefined],
      ["status_changed", "scheduled", "expired"],
    ]);
  });

  it("a stale scheduled row shows as expired in list, progress and events, expired once however often it is read", async () => {
    const user = "e-stale";
    const path = await createPath(app, user);
    const stale = await insertScheduled(path.id, daysFromNow(-8));
    const fresh = await insertScheduled(path.id, daysFromNow(-6.9));
    const oldButStarted = await insertScheduled(path.id, daysFromNow(-30), "in_progress");
    const rest = restAs(app, user);
    for (let read = 0; read < 3; read++) {
      const list = await rest.get<{ items: TaskBody[] }>("/study-tasks");
      expect(Object.fromEntries(list.body.items.map((task) => [task.id, task.status]))).toEqual({
        [stale]: "expired",
        [fresh]: "scheduled",
        [oldButStarted]: "in_progress",
      });
    }
    expect((await eventsOf(app, user, stale)).filter((event) => event.event_type === "status_changed")).toHaveLength(1);
    expect(await eventsOf(app, user, fresh)).toEqual([]);
    const progress = await rest.get<{ by_status: Record<string, number> }>(`/study-paths/${path.id}/progress`);
    expect(progress.body.by_status).toMatchObject({ expired: 1, scheduled: 1, in_progress: 1 });
  });

  it("next passes over an expired task, and start, skip and a submission on it answer 409", async () => {
    const user = "e-next";
    const path = await createPath(app, user);
    const stale = await insertScheduled(path.id, daysFromNow(-10));
    const rest = restAs(app, user);
    expect((await rest.get("/study-tasks/next")).status).toBe(404);
    for (const action of ["start", "skip"]) {
      const response = await rest.post(`/study-tasks/${stale}/${action}`);
      expect(response.status, action).toBe(409);
      expect(response.body.error).toMatchObject({ code: "CONFLICT", details: { status: "expired" } });
    }
    const submission = await submitForTask(app, user, { id: stale, problem_id: problem!.id }, "reference");
    expect(submission.status).toBe(409);
    expect(submission.body.error.message).toMatch(/expired/);
    // The expiry is the only event: the refused start, skip and submission left none.
    expect((await eventsOf(app, user, stale)).map((event) => [event.event_type, event.payload.to])).toEqual([["status_changed", "expired"]]);
  });

  it("only the caller's tasks are expired by the caller's reads", async () => {
    const owner = await createPath(app, "e-owner");
    const stale = await insertScheduled(owner.id, daysFromNow(-9));
    await restAs(app, "e-bystander").get("/study-tasks");
    const [row] = await app.db.handle.db.select({ status: studyTasks.status }).from(studyTasks).where(eq(studyTasks.id, stale));
    expect(row!.status).toBe("scheduled");
    const list = await restAs(app, "e-owner").get<{ items: TaskBody[] }>("/study-tasks");
    expect(list.body.items[0]!.status).toBe("expired");
  });
});
