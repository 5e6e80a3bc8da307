import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { afterAll, describe, expect, it } from "vitest";
import { migrationsFolder } from "../../server/src/db/database.js";

const client = new PGlite();
const db = drizzle(client);
const before = mkdtempSync(join(tmpdir(), "co-migrations-"));
afterAll(async () => {
  await client.close();
  rmSync(before, { recursive: true, force: true });
});

/** A copy of the migrations folder that stops before the learning engine's. */
function migrationsBeforeLearningEngine(): string {
  cpSync(migrationsFolder, before, { recursive: true });
  const journal = JSON.parse(readFileSync(join(before, "meta/_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const cut = journal.entries.findIndex((entry) => entry.tag.endsWith("_learning_engine"));
  expect(cut).toBeGreaterThan(0);
  writeFileSync(join(before, "meta/_journal.json"), JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }));
  return before;
}

describe("the migration of existing review and mastery rows", () => {
  it("gives each bucketed review row an FSRS card derived from its bucket, keeps its due date, and seeds skill from the EMA", async () => {
    await migrate(db, { migrationsFolder: migrationsBeforeLearningEngine() });
    await client.exec(`
      INSERT INTO review_queue (user_id, problem_id, subject, track, reason, next_due_at, bucket) VALUES
        ('u', 'p0', 'coding', 't', 'fail', '2026-05-02T00:00:00Z', 0),
        ('u', 'p1', 'coding', 't', 'fail', '2026-05-04T00:00:00Z', 1),
        ('u', 'p3', 'math', NULL, 'fail', '2026-05-22T00:00:00Z', 3);
      INSERT INTO mastery (user_id, key_type, key_id, score, ema) VALUES
        ('u', 'topic', 'weak', 20, 0.2), ('u', 'topic', 'even', 50, 0.5), ('u', 'topic', 'sure', 100, 1);`);

    await migrate(db, { migrationsFolder });

    const cards = await client.query<Record<string, unknown>>(
      `SELECT problem_id, reason, bucket, next_due_at, stability, difficulty, state, reps, lapses, last_review, scheduled_days, learning_steps
         FROM review_queue ORDER BY problem_id`,
    );
    expect(cards.rows).toEqual([
      { problem_id: "p0", reason: "fail", bucket: 0, next_due_at: new Date("2026-05-02T00:00:00Z"), stability: 1, difficulty: 5, state: "review", reps: 1, lapses: 1, last_review: new Date("2026-05-01T00:00:00Z"), scheduled_days: 1, learning_steps: 0 },
      { problem_id: "p1", reason: "fail", bucket: 1, next_due_at: new Date("2026-05-04T00:00:00Z"), stability: 3, difficulty: 5, state: "review", reps: 2, lapses: 1, last_review: new Date("2026-05-01T00:00:00Z"), scheduled_days: 3, learning_steps: 0 },
      { problem_id: "p3", reason: "fail", bucket: 3, next_due_at: new Date("2026-05-22T00:00:00Z"), stability: 21, difficulty: 5, state: "review", reps: 4, lapses: 1, last_review: new Date("2026-05-01T00:00:00Z"), scheduled_days: 21, learning_steps: 0 },
    ]);

    const skills = await client.query<{ key_id: string; skill: number; attempts: number; score: number }>(
      "SELECT key_id, skill, attempts, score FROM mastery ORDER BY key_id",
    );
    expect(skills.rows.map((row) => [row.key_id, Number(row.skill.toFixed(4)), row.attempts, row.score])).toEqual([
      ["even", 0, 0, 50],
      ["sure", 3, 0, 100],
      ["weak", Number(Math.log(0.2 / 0.8).toFixed(4)), 0, 20],
    ]);
  });
});
