import type { BankProblem } from "@co/shared";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { studyPaths } from "../../server/src/db/schema/index.js";
import { json, startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import type { TestApp } from "../support/test-app.js";
import { daysFromNow, restAs, startStudyApp, type PathBody, type TaskBody } from "./support/study-fixtures.js";

/** A coding problem of `coding-foundations` as the Problem Bank service sends it (§9). */
const bankProblem = (id: string, module: string, difficulty: number, topics: string[]): BankProblem => ({
  id,
  subject: "coding",
  title: id,
  statement: `Solve ${id}.`,
  type: "coding",
  difficulty,
  topics,
  outcomes: [],
  track: "coding-foundations",
  module,
  hints: { "1": "a", "2": "b", "3": "c" },
  entrypoint: { python: "solve", javascript: "solve" },
  visible_tests: [{ input: [1], expected: 1 }],
  compare: "exact",
});

const first = bankProblem("bank-first", "basics", 1, ["loops"]);
const second = bankProblem("bank-second", "strings", 2, ["strings"]);
const other = bankProblem("bank-other", "basics", 1, ["loops"]);

let neighbour: FakeNeighbour;
let app: TestApp;

beforeAll(async () => {
  neighbour = await startFakeNeighbour();
  app = await startStudyApp({ env: { CO_PROBLEM_BANK_BASE: neighbour.url } });
});
afterAll(async () => {
  await app.close();
  await neighbour.close();
});
afterEach(() => {
  neighbour.requests.length = 0;
});

const problemRoutes = (...problems: BankProblem[]) => {
  for (const problem of problems) neighbour.route("GET", `/internal/problems/${problem.id}`, (_req, res) => json(res, 200, problem));
};

describe("study tasks against the Problem Bank service", () => {
  it("createBatch asks the bank for exactly the requested problems, never the whole subject", async () => {
    problemRoutes(first, second, other);
    neighbour.route("GET", "/internal/problems", (_req, res) => json(res, 200, { items: [first, second, other] }));
    const user = "lookup-batch";
    const path = await restAs(app, user).post<PathBody>("/study-paths", { track_id: "coding-foundations" });
    expect(path.status).toBe(201);
    neighbour.requests.length = 0;

    const batch = await restAs(app, user).post<{ items: TaskBody[] }>("/study-tasks/batch", {
      path_id: path.body.id,
      tasks: [
        { problem_id: second.id, difficulty: 3, scheduled_at: daysFromNow(1) },
        { problem_id: first.id, difficulty: 1, scheduled_at: daysFromNow(2) },
        { problem_id: second.id, difficulty: 4, scheduled_at: daysFromNow(3) },
      ],
    });
    expect(batch.status).toBe(200);
    expect(batch.body.items.map((task) => [task.problem_id, task.module, task.topic_tags])).toEqual([
      [second.id, "strings", ["strings"]],
      [first.id, "basics", ["loops"]],
      [second.id, "strings", ["strings"]],
    ]);
    const asked = neighbour.requests.map((request) => request.path).sort();
    expect(asked).toEqual([`/internal/problems/${first.id}`, `/internal/problems/${second.id}`]);
  });

  it("createBatch answers 404 naming the problems the bank does not know, and writes nothing", async () => {
    problemRoutes(first);
    neighbour.route("GET", "/internal/problems/bank-gone", (_req, res) => json(res, 404, { detail: "not found" }));
    const user = "lookup-missing";
    const path = await restAs(app, user).post<PathBody>("/study-paths", { track_id: "coding-foundations" });
    const response = await restAs(app, user).post("/study-tasks/batch", {
      path_id: path.body.id,
      tasks: [
        { problem_id: first.id, difficulty: 1, scheduled_at: daysFromNow(1) },
        { problem_id: "bank-gone", difficulty: 1, scheduled_at: daysFromNow(1) },
      ],
    });
    expect(response.status).toBe(404);
    expect(response.body.error.details.problem_ids).toEqual(["bank-gone"]);
    expect((await restAs(app, user).get<{ items: TaskBody[] }>("/study-tasks")).body.items).toEqual([]);
  });

  it("when a recommended problem is gone from the bank by the time the path is written, creation fails clearly and writes nothing", async () => {
    // The ranking listing still has both; the lookup of the picks finds only the first.
    problemRoutes(first);
    neighbour.route("GET", `/internal/problems/${second.id}`, (_req, res) => json(res, 404, { detail: "not found" }));
    let listings = 0;
    neighbour.route("GET", "/internal/problems", (_req, res) => json(res, 200, { items: ++listings === 1 ? [first, second] : [first] }));
    const user = "lookup-vanished";
    const response = await restAs(app, user).post("/study-paths", { track_id: "coding-foundations", initial_tasks: 2 });
    expect(response.status).toBe(502);
    expect(response.body.error).toMatchObject({ code: "UPSTREAM_ERROR", details: { problem_ids: [second.id] } });
    expect(response.body.error.message).toContain(second.id);
    expect(await app.db.handle.db.select().from(studyPaths).where(eq(studyPaths.userId, user))).toEqual([]);
  });

  it("initial tasks take module, topics and difficulty from the bank, one task per recommended problem", async () => {
    problemRoutes(first, second);
    neighbour.route("GET", "/internal/problems", (_req, res) => json(res, 200, { items: [first, second] }));
    const response = await restAs(app, "lookup-initial").post<PathBody>("/study-paths", { track_id: "coding-foundations", initial_tasks: 2 });
    expect(response.status).toBe(201);
    expect(response.body.tasks.map((task) => [task.problem_id, task.module, task.topic_tags, task.difficulty])).toEqual([
      [first.id, "basics", ["loops"], 1],
      [second.id, "strings", ["strings"], 2],
    ]);
  });
});
