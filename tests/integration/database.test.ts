import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readContentPack, seedContent } from "../../server/src/content/load-pack.js";
import { pgErrorCode } from "../../server/src/db/database.js";
import { rowsOf } from "../../server/src/db/raw-rows.js";
import { mastery, problems, sessions, studyTasks, tracks } from "../../server/src/db/schema/index.js";
import { createTestDatabase, testServices, type TestDatabase } from "../support/test-infra.js";

const SPEC_TABLES = [
  "tracks",
  "problems",
  "sessions",
  "submissions",
  "mastery",
  "review_queue",
  "rubrics",
  "rubric_scores",
  "study_paths",
  "study_tasks",
  "task_events",
  "task_evaluations",
  "tutor_turns",
];

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase({ seed: false });
});
afterAll(() => database.dispose());


describe(`migrations on ${testServices.dbUrl ? "PostgreSQL server" : "PGlite"}`, () => {
  it("create every table of the data model", async () => {
    const rows = await rowsOf<{ table_name: string }>(
      database.handle.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const names = rows.map((row) => row.table_name);
    expect(names).toEqual(expect.arrayContaining(SPEC_TABLES));
  });

  it.runIf(testServices.dbUrl)("apply to a PostgreSQL 15 server", async () => {
    const [row] = await rowsOf<{ server_version_num: string }>(database.handle.db, sql`show server_version_num`);
    expect(Number(row!.server_version_num)).toBeGreaterThanOrEqual(150000);
  });

  it("enforce enums and ranges with check constraints", async () => {
    const db = database.handle.db;
    const attempts = [
      db.insert(tracks).values({ slug: "bad", subject: "cooking" as never, title: "x" }),
      db.insert(sessions).values({ userId: "u", subject: "coding", mode: "track" }),
      db.insert(sessions).values({ userId: "u", subject: "coding", mode: "practice", status: "paused" as never }),
      db.insert(mastery).values({ userId: "u", keyType: "topic", keyId: "k", score: 101, ema: 0.5 }),
      db.insert(problems).values({ id: "p", subject: "coding", title: "t", statement: "s", difficulty: 6, kind: "coding", hints: { 1: "a", 2: "b", 3: "c" }, contentHash: "h" }),
    ];
    for (const attempt of attempts) {
      const error = await attempt.then(() => null, (caught: unknown) => caught);
      expect(pgErrorCode(error)).toBe("23514");
    }
    const badTask = await db
      .insert(studyTasks)
      .values({ pathId: "00000000-0000-4000-8000-000000000000", problemId: "p", difficulty: 0, scheduledAt: new Date() })
      .then(() => null, (caught: unknown) => caught);
    expect(["23514", "23503"]).toContain(pgErrorCode(badTask));
  });
});

describe("the content pack", () => {
  it("loads idempotently: a second run changes nothing", async () => {
    const pack = readContentPack();
    const first = await seedContent(database.handle.db, pack);
    expect(first.tracks).toBe(3);
    expect(first.problems).toBe(pack.problems.length);
    const second = await seedContent(database.handle.db, pack);
    expect(second.problems).toBe(0);
    const [row] = await rowsOf<{ count: number }>(database.handle.db, sql`select count(*)::int as count from problems`);
    expect(row?.count).toBe(pack.problems.length);
  });
});
