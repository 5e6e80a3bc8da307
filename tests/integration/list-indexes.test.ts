import { sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../server/src/db/raw-rows.js";
import { createTestDatabase, testServices, type TestDatabase } from "../support/test-infra.js";

let database: TestDatabase;
const USER = "many-rows-user";

beforeAll(async () => {
  database = await createTestDatabase({ seed: false });
  const { db } = database.handle;
  // One user with thousands of sessions and submissions, at distinct times, as a long-time learner has.
  await db.execute(sql`insert into sessions (user_id, subject, mode, problem_id, started_at, updated_at)
    select ${USER}, 'math', 'practice', 'p-' || (n % 50), now() - n * interval '1 minute', now() from generate_series(1, 3000) as n`);
  await db.execute(sql`insert into submissions (session_id, user_id, problem_id, subject, status, payload_sha256, created_at)
    select s.id, s.user_id, s.problem_id, 'math', 'passed', 'x', s.started_at + interval '1 second' from sessions s`);
  await db.execute(sql`analyze`);
}, 120_000);
afterAll(() => database.dispose());

/** The plan PostgreSQL picks for a statement, as JSON nodes. */
async function planOf(statement: SQL): Promise<string> {
  const [row] = await rowsOf<{ "QUERY PLAN": unknown }>(database.handle.db, sql`explain (format json) ${statement}`);
  return JSON.stringify(row!["QUERY PLAN"]);
}

describe(`newest-first pages read an index in order (${testServices.dbUrl ? "PostgreSQL server" : "PGlite"})`, () => {
  // The lists' own ordering (`desc(…)` in the repositories renders `DESC`, which is NULLS FIRST).
  const pages: [string, SQL][] = [
    ["a user's sessions", sql`select * from sessions where user_id = ${USER} order by started_at desc, id desc limit 21`],
    ["a user's submissions", sql`select * from submissions where user_id = ${USER} order by created_at desc, id desc limit 21`],
    [
      "a user's submissions on one problem",
      sql`select * from submissions where user_id = ${USER} and problem_id = 'p-7' order by created_at desc, id desc limit 21`,
    ],
  ];

  for (const [name, statement] of pages) {
    it(`${name}: through the index, with no sort of the user's rows`, async () => {
      const plan = await planOf(statement);
      expect(plan).toMatch(/"Index Scan"|"Index Only Scan"/);
      expect(plan).not.toMatch(/"Node Type":"Sort"/);
    });
  }
});
