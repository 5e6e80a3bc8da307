import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgErrorCode } from "../../server/src/db/database.js";
import { studyPaths, studyTasks, taskEvents, tracks } from "../../server/src/db/schema/index.js";
import { createTestDatabase, testServices, type TestDatabase } from "../support/test-infra.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

/** A path with one task and one `created` event, written straight to the database. */
async function taskWithEvent(user: string) {
  const db = database.handle.db;
  const [track] = await db.select({ id: tracks.id }).from(tracks).where(eq(tracks.slug, "coding-foundations"));
  const [path] = await db.insert(studyPaths).values({ userId: user, trackId: track!.id }).returning();
  const [task] = await db
    .insert(studyTasks)
    .values({ pathId: path!.id, problemId: "running-sum", difficulty: 1, scheduledAt: new Date() })
    .returning();
  const [event] = await db.insert(taskEvents).values({ taskId: task!.id, eventType: "created", payload: {} }).returning();
  return { path: path!, task: task!, event: event! };
}

const failureCode = (attempt: Promise<unknown>) => attempt.then(() => null, (error: unknown) => pgErrorCode(error));

describe(`task_events on ${testServices.dbUrl ? "PostgreSQL server" : "PGlite"}`, () => {
  it("when a statement tries to change or remove an event, the database refuses it and the event stays as written", async () => {
    const db = database.handle.db;
    const { event } = await taskWithEvent("append-only");
    expect(await failureCode(db.update(taskEvents).set({ payload: { forged: true } }).where(eq(taskEvents.id, event.id)))).toBe("23001");
    expect(await failureCode(db.delete(taskEvents).where(eq(taskEvents.id, event.id)))).toBe("23001");
    const [stored] = await db.select().from(taskEvents).where(eq(taskEvents.id, event.id));
    expect(stored).toEqual(event);
  });

  it("removing a study path still cascades to its tasks and their events", async () => {
    const db = database.handle.db;
    const { path, task } = await taskWithEvent("cascade");
    await db.delete(studyPaths).where(eq(studyPaths.id, path.id));
    expect(await db.select().from(studyTasks).where(eq(studyTasks.id, task.id))).toEqual([]);
    expect(await db.select().from(taskEvents).where(eq(taskEvents.taskId, task.id))).toEqual([]);
  });
});
