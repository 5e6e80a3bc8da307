import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalProblemBank } from "../../server/src/adapters/problem-bank/local-problem-bank.js";
import { openDatabase, type DatabaseHandle } from "../../server/src/db/database.js";
import { problems, reviewQueue, sessions, submissions, tracks } from "../../server/src/db/schema/index.js";
import { systemClock } from "../../server/src/ports/clock.js";
import { LearnerFactsRepository } from "../../server/src/repositories/learner-facts.repository.js";
import { RecommendationService } from "../../server/src/services/recommendation/recommendation.service.js";

let queries = 0;
let database: DatabaseHandle;
let service: RecommendationService;

const trackOf = (slug: string, size: number) => ({
  slug,
  modules: [{ id: "m", title: "M", outcomes: [] }],
  problems: Array.from({ length: size }, (_, i) => ({
    id: `${slug}-${String(i).padStart(4, "0")}`,
    difficulty: (i % 5) + 1,
    topics: [`topic-${i % 7}`],
  })),
});

beforeAll(async () => {
  database = await openDatabase({ kind: "pglite", onQuery: () => queries++ });
  await database.migrate();
  const db = database.db;
  for (const track of [trackOf("small", 10), trackOf("large", 1000)]) {
    const [row] = await db
      .insert(tracks)
      .values({ slug: track.slug, subject: "coding", title: track.slug, modules: track.modules })
      .returning();
    await db.insert(problems).values(
      track.problems.map((p, position) => ({
        ...p,
        subject: "coding" as const,
        title: p.id,
        statement: "s",
        trackId: row!.id,
        module: "m",
        position,
        kind: "coding" as const,
        hints: { "1": "a", "2": "b", "3": "c" },
        contentHash: "h",
      })),
    );
  }
  const [session] = await db.insert(sessions).values({ userId: "u", subject: "coding", mode: "practice" }).returning();
  await db.insert(submissions).values(
    ["small-0000", "large-0001", "large-0002"].map((problemId, i) => ({
      sessionId: session!.id,
      userId: "u",
      problemId,
      subject: "coding" as const,
      status: i === 0 ? ("passed" as const) : ("failed" as const),
      payloadSha256: "x",
    })),
  );
  service = new RecommendationService(
    new LearnerFactsRepository(db),
    new LocalProblemBank(db),
    { weakness: 0.4, novelty: 0.2, difficulty: 0.25, recency: 0.15 },
    systemClock,
  );
});
afterAll(() => database.close());

const countQueries = async (work: () => Promise<unknown>) => {
  const before = queries;
  await work();
  return queries - before;
};

describe("recommendation cost", () => {
  it("runs the same number of queries for 10 and for 1,000 candidates", async () => {
    const small = await countQueries(() => service.recommend({ userId: "u", subject: "coding", track: { slug: "small", moduleIds: ["m"] } }));
    const large = await countQueries(() => service.recommend({ userId: "u", subject: "coding", track: { slug: "large", moduleIds: ["m"] } }));
    expect(small).toBeGreaterThan(0);
    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(5);
  });

  it("picks a due review item first, with a single query", async () => {
    await database.db.insert(reviewQueue).values({
      userId: "u",
      problemId: "large-0500",
      subject: "coding",
      track: "large",
      reason: "fail",
      nextDueAt: new Date(Date.now() - 1000),
    });
    let pick: Awaited<ReturnType<RecommendationService["recommend"]>> = null;
    const cost = await countQueries(async () => {
      pick = await service.recommend({ userId: "u", subject: "coding", track: { slug: "large", moduleIds: ["m"] } });
    });
    expect(pick).toMatchObject({ problemId: "large-0500", reason: "review" });
    expect(cost).toBe(1);
    const elsewhere = await service.recommend({ userId: "u", subject: "coding", track: { slug: "small", moduleIds: ["m"] } });
    expect(elsewhere?.reason).toBe("ranked");
  });

  it("is deterministic", async () => {
    const request = { userId: "u2", subject: "coding" as const, track: { slug: "large", moduleIds: ["m"] } };
    const picks = await Promise.all([service.recommend(request), service.recommend(request), service.recommend(request)]);
    expect(new Set(picks.map((pick) => pick?.problemId)).size).toBe(1);
  });
});
