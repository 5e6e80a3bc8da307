import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalProblemBank } from "../../server/src/adapters/problem-bank/local-problem-bank.js";
import { readContentPack, seedContent } from "../../server/src/content/load-pack.js";
import { openDatabase, type DatabaseHandle } from "../../server/src/db/database.js";
import { studyTasks } from "../../server/src/db/schema/index.js";
import { systemClock } from "../../server/src/ports/clock.js";
import { LearnerFactsRepository } from "../../server/src/repositories/learner-facts.repository.js";
import { ReviewItemsRepository } from "../../server/src/repositories/review-items.repository.js";
import { StudyPathsRepository } from "../../server/src/repositories/study-paths.repository.js";
import { StudyTasksRepository } from "../../server/src/repositories/study-tasks.repository.js";
import { TaskEventsRepository } from "../../server/src/repositories/task-events.repository.js";
import { TracksRepository } from "../../server/src/repositories/tracks.repository.js";
import { TrackDirectory } from "../../server/src/services/track-directory.js";
import { RecommendationService } from "../../server/src/services/recommendation/recommendation.service.js";
import { StudyPathsService } from "../../server/src/services/study/study-paths.service.js";
import { StudyTasksService } from "../../server/src/services/study/study-tasks.service.js";

let queries = 0;
/** Text of every statement since the last `countQueries`. */
let statements: string[] = [];
let database: DatabaseHandle;
let paths: StudyPathsService;
let tasks: StudyTasksService;

beforeAll(async () => {
  database = await openDatabase({ kind: "pglite", onQuery: (query) => {
    queries++;
    statements.push(query.toLowerCase());
  } });
  await database.migrate();
  await seedContent(database.db, readContentPack());
  const db = database.db;
  const problemBank = new LocalProblemBank(db);
  const repositories = {
    db,
    paths: new StudyPathsRepository(db),
    tasks: new StudyTasksRepository(db),
    events: new TaskEventsRepository(db),
    reviews: new ReviewItemsRepository(db),
    problemBank,
    clock: systemClock,
  };
  const recommendations = new RecommendationService(
    new LearnerFactsRepository(db),
    problemBank,
    { weakness: 0.4, novelty: 0.2, difficulty: 0.25, recency: 0.15 },
    systemClock,
    { mode: "success", target: 0.7 },
  );
  paths = new StudyPathsService({ ...repositories, tracks: new TrackDirectory(new TracksRepository(db), problemBank), recommendations });
  tasks = new StudyTasksService(repositories);
});
afterAll(() => database.close());

const countQueries = async (work: () => Promise<unknown>) => {
  statements = [];
  const before = queries;
  await work();
  return queries - before;
};

/** A path with `size` tasks over several modules and statuses, `stale` of them scheduled 8+ days ago. */
async function pathWith(user: string, size: number, stale: number) {
  const path = await paths.create(user, { track_id: "coding-foundations", initial_tasks: 0 });
  const statuses = ["scheduled", "completed", "skipped", "in_progress"] as const;
  await database.db.insert(studyTasks).values(
    Array.from({ length: size }, (_, i) => ({
      pathId: path.id,
      problemId: "count-evens",
      module: ["basics", "strings", "arrays-and-hashing"][i % 3]!,
      difficulty: 1,
      status: i < stale ? ("scheduled" as const) : statuses[i % statuses.length]!,
      score: i >= stale && statuses[i % statuses.length] === "completed" ? (i % 10) / 10 : null,
      scheduledAt: new Date(Date.now() + (i < stale ? -9 : 1) * 86_400_000),
    })),
  );
  return path.id;
}

describe("study reads cost a constant number of queries, whatever the number of tasks", () => {
  it("progress, current, list, next and the first export chunk, expiry included", async () => {
    const small = await pathWith("q-small", 6, 2);
    const large = await pathWith("q-large", 450, 150);
    const costs = async (user: string, pathId: string) => [
      await countQueries(() => paths.progress(user, pathId)),
      await countQueries(() => paths.current(user)),
      await countQueries(() => tasks.list(user, { limit: 20 })),
      await countQueries(() => tasks.next(user)),
      await countQueries(() => tasks.export(user, {})),
    ];
    const smallCosts = await costs("q-small", small);
    expect(await costs("q-large", large)).toEqual(smallCosts);
    // Every stale task was expired by the one statement the first read ran.
    const expired = await tasks.list("q-large", { limit: 100, status: "expired" });
    expect(expired.items).toHaveLength(100);
    expect(expired.next_cursor).not.toBeNull();
    statements = [];
    const progress = await paths.progress("q-large", large);
    // The figures are aggregated by the database, not summed over fetched rows in JS.
    const progressSql = statements.join("\n");
    expect(progressSql).toMatch(/count\(\*\) filter \(where (?:"study_tasks".)?"status" = /);
    expect(progressSql).toMatch(/avg\((?:"study_tasks".)?"score"\) filter/);
    expect(progressSql).toMatch(/group by (?:"study_tasks".)?"module"/);
    await countQueries(() => paths.current("q-large"));
    expect(statements.join("\n")).toMatch(/count\(\*\) filter/);
    expect(progress.by_status.expired).toBe(150);
    expect(progress.modules.slice(0, 3).reduce((sum, row) => sum + row.total, 0)).toBe(450);
  });
});
