import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  type PathBody,
} from "./support/study-fixtures.js";

const DAY_MS = 86_400_000;

let app: TestApp;
beforeAll(async () => {
  // Bucket 0 = due at once, so a failed attempt shows up as a due review.
  app = await startStudyApp({ env: { CO_REVIEW_BUCKETS: "0,3,7", CO_REVIEW_SCHEDULER: "buckets" } });
});
afterAll(() => app.close());

interface Summary {
  total: number;
  by_status: Record<string, number>;
  accuracy: number | null;
  next_scheduled_at: string | null;
}

describe("studyPaths.create", () => {
  it("when initial_tasks is 3, schedules the first three recommended problems of the track one day apart", async () => {
    const path = await createPath(app, "p-initial", { track_id: "coding-foundations", initial_tasks: 3, config: { pace: "daily" } });
    expect(path).toMatchObject({ user_id: "p-initial", status: "active", config: { pace: "daily" } });
    expect(path.tasks).toHaveLength(3);
    const times = path.tasks.map((task) => Date.parse(task.scheduled_at));
    expect(times[1]! - times[0]!).toBe(DAY_MS);
    expect(times[2]! - times[1]!).toBe(DAY_MS);
    expect(Math.abs(times[0]! - Date.now())).toBeLessThan(60_000);
    // A new learner starts on easy problems of the first module.
    expect(path.tasks[0]).toMatchObject({ module: "basics", status: "scheduled", hints_used: 0, score: null, started_at: null });
    expect(path.tasks[0]!.difficulty).toBeLessThanOrEqual(2);
    expect(new Set(path.tasks.map((task) => task.problem_id)).size).toBe(3);
    const events = await eventsOf(app, "p-initial", path.tasks[0]!.id);
    expect(events.map((event) => event.event_type)).toEqual(["created"]);
  });

  it("accepts the track's uuid as well as its slug, and schedules nothing by default", async () => {
    const bySlug = await createPath(app, "p-uuid", { track_id: "math-foundations" });
    const byId = await createPath(app, "p-uuid", { track_id: bySlug.track_id });
    expect(byId.track_id).toBe(bySlug.track_id);
    expect(byId.tasks).toEqual([]);
  });

  it("answers 404 for an unknown track, 400 for initial_tasks outside 0-30 and 413 for a config over 16 KiB", async () => {
    const rest = restAs(app, "p-invalid");
    const unknown = await rest.post("/study-paths", { track_id: "no-such-track" });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    const tooMany = await rest.post("/study-paths", { track_id: "coding-foundations", initial_tasks: 31 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toContain("initial_tasks");
    expect((await rest.post("/study-paths", { track_id: "coding-foundations", initial_tasks: -1 })).status).toBe(400);
    const bigConfig = await rest.post("/study-paths", { track_id: "coding-foundations", config: { notes: "x".repeat(17 * 1024) } });
    expect(bigConfig.status).toBe(413);
    expect(bigConfig.body.error.message).toContain("config");
    expect((await rest.get("/study-paths/current")).status).toBe(404);
  });

  it("needs a bearer token", async () => {
    const response = await fetch(`${app.url}/v1/study-paths`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ track_id: "coding-foundations" }),
    });
    expect(response.status).toBe(401);
  });
});

describe("studyPaths.current", () => {
  it("when the learner has no path, answers 404", async () => {
    const response = await restAs(app, "p-nobody").get("/study-paths/current");
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("NOT_FOUND");
  });

  it("is the newest active path, with counts per status, accuracy and the next due time", async () => {
    await createPath(app, "p-current", { track_id: "math-foundations" });
    const newest = await createPath(app, "p-current", { track_id: "coding-foundations", initial_tasks: 2 });
    await restAs(app, "p-current").post(`/study-tasks/${newest.tasks[1]!.id}/skip`);
    const response = await restAs(app, "p-current").get<PathBody & { summary: Summary }>("/study-paths/current");
    expect(response.status).toBe(200);
    expect(response.body.id).toBe(newest.id);
    expect(response.body.summary).toEqual({
      total: 2,
      by_status: { scheduled: 1, in_progress: 0, completed: 0, skipped: 1, expired: 0 },
      accuracy: null,
      next_scheduled_at: newest.tasks[0]!.scheduled_at,
    });
  });
});

describe("studyPaths.progress", () => {
  it("counts per module in track order, per status, accuracy of completed tasks, and the track's reviews", async () => {
    const user = "p-progress";
    const path = await createPath(app, user);
    const [first, second] = codingProblemsOf("basics");
    const [stringsProblem] = codingProblemsOf("strings");
    const [passed, failed, skipped, expired, pending] = await scheduleTasks(app, user, path.id, [
      { problem_id: first!.id, difficulty: 1, scheduled_at: daysFromNow(0) },
      { problem_id: second!.id, difficulty: 1, scheduled_at: daysFromNow(0) },
      { problem_id: stringsProblem!.id, difficulty: 2, scheduled_at: daysFromNow(1) },
      { problem_id: stringsProblem!.id, difficulty: 2, scheduled_at: daysFromNow(-8) },
      { problem_id: first!.id, module: "capstone", difficulty: 3, scheduled_at: daysFromNow(2) },
    ]);
    expect((await submitForTask(app, user, passed!, "reference")).status).toBe(200);
    expect((await submitForTask(app, user, failed!, "wrong")).status).toBe(200);
    expect((await restAs(app, user).post(`/study-tasks/${skipped!.id}/skip`)).status).toBe(200);

    const response = await restAs(app, user).get<{
      path_id: string;
      modules: { module: string | null; total: number; completed: number; accuracy: number | null }[];
      by_status: Record<string, number>;
      accuracy: number | null;
      total: number;
      next_scheduled_at: string | null;
      reviews_due: number;
      upcoming_reviews: { problem_id: string; reason: string; bucket: number; next_due_at: string }[];
    }>(`/study-paths/${path.id}/progress`);
    expect(response.status).toBe(200);
    const progress = response.body;
    expect(progress.path_id).toBe(path.id);
    expect(progress.total).toBe(5);
    expect(progress.by_status).toEqual({ scheduled: 1, in_progress: 0, completed: 2, skipped: 1, expired: 1 });
    expect(progress.accuracy).toBe(0.5);
    expect(progress.next_scheduled_at).toBe(pending!.scheduled_at);
    expect(progress.modules.map((row) => row.module)).toEqual([
      "basics",
      "strings",
      "arrays-and-hashing",
      "two-pointers-and-sliding-window",
      "recursion-and-search",
      "dynamic-programming",
      "capstone",
    ]);
    expect(progress.modules[0]).toEqual({ module: "basics", total: 2, completed: 2, accuracy: 0.5 });
    expect(progress.modules[1]).toEqual({ module: "strings", total: 2, completed: 0, accuracy: null });
    expect(progress.modules[2]).toEqual({ module: "arrays-and-hashing", total: 0, completed: 0, accuracy: null });
    expect(progress.modules[6]).toEqual({ module: "capstone", total: 1, completed: 0, accuracy: null });
    // The failed attempt put its problem in the review queue, due at once (bucket 0 = 0 days).
    expect(progress.reviews_due).toBe(1);
    expect(progress.upcoming_reviews).toEqual([
      {
        problem_id: second!.id,
        reason: "fail",
        bucket: 0,
        next_due_at: expect.any(String),
        // The bucket scheduler keeps no FSRS card, so there is no estimate.
        retrievability: null,
        stability: null,
      },
    ]);
    expect((await eventsOf(app, user, expired!.id)).map((event) => event.payload)).toEqual([
      { source: "batch" },
      expect.objectContaining({ from: "scheduled", to: "expired" }),
    ]);
  });

  it("answers 404 for an unknown path and 400 for an id that is not a uuid", async () => {
    const rest = restAs(app, "p-missing");
    const unknown = await rest.get(`/study-paths/${crypto.randomUUID()}/progress`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    expect((await rest.get("/study-paths/not-a-uuid/progress")).status).toBe(400);
  });
});

describe("study paths over tRPC", () => {
  it("creates, reads the current path and its progress with Dates", async () => {
    const client = createTrpcClient(app.url, await app.tokenFor("p-trpc"));
    const created = await client.studyPaths.create.mutate({ track_id: "coding-foundations", initial_tasks: 1 });
    expect(created.tasks[0]!.scheduled_at).toBeInstanceOf(Date);
    const current = await client.studyPaths.current.query();
    expect(current.id).toBe(created.id);
    expect(current.summary.by_status.scheduled).toBe(1);
    const progress = await client.studyPaths.progress.query({ id: created.id });
    expect(progress.modules[0]).toMatchObject({ module: "basics", total: 1, completed: 0 });
    await expect(client.studyPaths.progress.query({ id: crypto.randomUUID() })).rejects.toMatchObject({
      data: { app_code: "NOT_FOUND", httpStatus: 404 },
    });
    await expect(client.studyPaths.create.mutate({ track_id: "coding-foundations", initial_tasks: 99 })).rejects.toMatchObject({
      data: { app_code: "VALIDATION_ERROR", httpStatus: 400 },
    });
  });
});
