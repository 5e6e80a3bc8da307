import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../server/src/db/raw-rows.js";
import { earlierInSessionQuery, ReviewQueueRepository } from "../../server/src/repositories/review-queue.repository.js";
import { createTestDatabase, testServices, type TestDatabase } from "../support/test-infra.js";

/**
 * What the review rating asks on every submission: did this session grade the problem before,
 * and did one of those fail. A session that passed one problem 3,000 times must still be
 * answered by index probes, not by walking its attempts.
 */
let database: TestDatabase;
const reviews = new ReviewQueueRepository();
const USER = "earlier-attempts-user";
let busy: string; // 3,000 passes on p-busy
let mixed: string; // a pass then a failure on p-mixed, and one pass on p-other
const idsOf = async (sessionId: string, problemId: string) =>
  (await rowsOf<{ id: string }>(database.handle.db, sql`select id from submissions where session_id = ${sessionId} and problem_id = ${problemId} order by created_at`)).map(
    (row) => row.id,
  );

beforeAll(async () => {
  database = await createTestDatabase({ seed: false });
  const { db } = database.handle;
  const [a, b] = await rowsOf<{ id: string }>(
    db,
    sql`insert into sessions (user_id, subject, mode, problem_id) values (${USER}, 'math', 'practice', 'p-busy'), (${USER}, 'math', 'practice', 'p-mixed') returning id`,
  );
  busy = a!.id;
  mixed = b!.id;
  await db.execute(sql`insert into submissions (session_id, user_id, problem_id, subject, status, payload_sha256, created_at)
    select ${busy}::uuid, ${USER}, 'p-busy', 'math', 'passed', 'x', now() - n * interval '1 second' from generate_series(1, 3000) as n`);
  await db.execute(sql`insert into submissions (session_id, user_id, problem_id, subject, status, payload_sha256, created_at) values
    (${mixed}::uuid, ${USER}, 'p-mixed', 'math', 'passed', 'x', now() - interval '3 minutes'),
    (${mixed}::uuid, ${USER}, 'p-mixed', 'math', 'failed', 'x', now() - interval '2 minutes'),
    (${mixed}::uuid, ${USER}, 'p-other', 'math', 'passed', 'x', now() - interval '1 minute')`);
  await db.execute(sql`analyze submissions`);
}, 120_000);
afterAll(() => database?.dispose());

describe(`a session's earlier attempts on a problem (${testServices.dbUrl ? "PostgreSQL server" : "PGlite"})`, () => {
  it("are told apart: none, passes only, a failure among them; the submission being graded does not count", async () => {
    const db = database.handle.db;
    const [pass, failure] = await idsOf(mixed, "p-mixed");
    const [other] = await idsOf(mixed, "p-other");
    expect(await reviews.earlierInSession(db, mixed, "p-other", other!)).toEqual({ attempted: false, failed: false });
    expect(await reviews.earlierInSession(db, mixed, "p-mixed", failure!)).toEqual({ attempted: true, failed: false });
    expect(await reviews.earlierInSession(db, mixed, "p-mixed", pass!)).toEqual({ attempted: true, failed: true });
    expect(await reviews.earlierInSession(db, mixed, "p-never", pass!)).toEqual({ attempted: false, failed: false });
  });

  it("the statement the repository runs probes the partial failures index, even after 3,000 passes", async () => {
    const [latest] = (await idsOf(busy, "p-busy")).slice(-1);
    expect(await reviews.earlierInSession(database.handle.db, busy, "p-busy", latest!)).toEqual({ attempted: true, failed: false });
    const [row] = await rowsOf<{ "QUERY PLAN": unknown }>(
      database.handle.db,
      sql`explain (format json) ${earlierInSessionQuery(busy, "p-busy", latest!)}`,
    );
    // One sub-plan per EXISTS, in the statement's order. "Attempted" stops at its first match
    // whichever way it is read; "failed" has no match here, so only an index that holds failures
    // alone keeps it from walking the session's 3,000 passes.
    const [{ Plan: plan }] = row!["QUERY PLAN"] as [{ Plan: { Plans: { "Node Type": string; "Index Name"?: string }[] } }];
    const [, failedProbe] = plan.Plans;
    expect(failedProbe).toMatchObject({ "Node Type": expect.stringMatching(/^Index( Only)? Scan$/), "Index Name": "submissions_session_failures_idx" });
  });
});
