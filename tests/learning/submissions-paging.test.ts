import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions, submissions } from "../../server/src/db/schema/index.js";
import { codingProblem } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("listing submissions", () => {
  it("when several submissions are stored in the same millisecond, paging returns every one of them once, newest first", async () => {
    const db = app.db.handle.db;
    const userId = "sub-same-ms";
    const problemId = codingProblem().id;
    const [session] = await db.insert(sessions).values({ userId, subject: "coding", mode: "practice", problemId }).returning();
    const at = (micros: string) => sql`${`2026-03-01 10:00:00.123${micros}+00`}::timestamptz`;
    const row = { sessionId: session!.id, userId, problemId, subject: "coding" as const, status: "failed" as const, payloadSha256: "x" };
    // Three share the exact instant; two more fall in the same millisecond around them.
    const inserted = await db
      .insert(submissions)
      .values([
        { ...row, createdAt: at("100") },
        { ...row, createdAt: at("456") },
        { ...row, createdAt: at("456") },
        { ...row, createdAt: at("456") },
        { ...row, createdAt: at("900") },
      ])
      .returning({ id: submissions.id });
    const [early, ...rest] = inserted.map((r) => r.id);
    const late = rest.pop()!;
    const expected = [late, ...rest.sort().reverse(), early];

    const headers = await app.authFor(userId);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const query: string = cursor ? `limit=2&cursor=${cursor}` : "limit=2";
      const response = await http<{ items: { id: string }[]; next_cursor: string | null }>(`${app.url}/v1/submissions?${query}`, {
        headers,
      });
      expect(response.status).toBe(200);
      seen.push(...response.body.items.map((item) => item.id));
      cursor = response.body.next_cursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(expected);
  });
});
