import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalProblemBank } from "../../server/src/adapters/problem-bank/local-problem-bank.js";
import { openDatabase, type DatabaseHandle } from "../../server/src/db/database.js";
import { mastery, problems, reviewQueue, sessions, submissions, tracks } from "../../server/src/db/schema/index.js";
import type { Clock } from "../../server/src/ports/clock.js";
import { LearnerFactsRepository } from "../../server/src/repositories/learner-facts.repository.js";
import { RecommendationService } from "../../server/src/services/recommendation/recommendation.service.js";

let queries = 0;
let database: DatabaseHandle;
let service: RecommendationService;
let engine: RecommendationService;

const trackOf = (slug: string, size: number) => ({
  slug,
  modules: [{ id: "m", title: "M", outcomes: [] }],
  problems: Array.from({ length: size }, (_, i) => ({
    id: `${slug}-${String(i).padStart(4, "0")}`,
    difficulty: (i % 5) + 1,
    topics: [`topic-${i % 7}`],
    position: i,
  })),
});

/** Equal problems listed in the reverse of their id order. */
const reversedTrack = {
  slug: "reversed",
  modules: [{ id: "m", title: "M", outcomes: [] }],
  problems: ["rev-c", "rev-b", "rev-a"].map((id, position) => ({ id, difficulty: 1, topics: ["same"], position })),
};

/** Generated problems have difficulty (index mod 5) + 1. */
const difficultyOf = (problemId: string) => (Number(problemId.slice(-4)) % 5) + 1;

const NOW = new Date();
const DAY = 86_400_000;
const clock: Clock = { now: () => NOW };
let sessionId: string;

/** Submissions of one user, oldest first, at the given days ago. */
const history = (userId: string, entries: [problemId: string, status: "passed" | "failed", daysAgo: number][]) =>
  database.db.insert(submissions).values(
    entries.map(([problemId, status, daysAgo]) => ({
      sessionId,
      userId,
      problemId,
      subject: "coding" as const,
      status,
      payloadSha256: "x",
      createdAt: new Date(NOW.getTime() - daysAgo * DAY),
    })),
  );

const dueReview = (userId: string, problemId: string, values: { subject?: "coding" | "math"; track?: string | null } = {}) =>
  database.db.insert(reviewQueue).values({
    userId,
    problemId,
    subject: values.subject ?? "coding",
    track: values.track === undefined ? "large" : values.track,
    reason: "fail",
    nextDueAt: new Date(NOW.getTime() - 1000),
  });

beforeAll(async () => {
  database = await openDatabase({ kind: "pglite", onQuery: () => queries++ });
  await database.migrate();
  const db = database.db;
  for (const track of [trackOf("small", 10), trackOf("large", 1000), reversedTrack]) {
    const [row] = await db
      .insert(tracks)
      .values({ slug: track.slug, subject: "coding", title: track.slug, modules: track.modules })
      .returning();
    await db.insert(problems).values(
      track.problems.map((p) => ({
        ...p,
        subject: "coding" as const,
        title: p.id,
        statement: "s",
        trackId: row!.id,
        module: "m",
        kind: "coding" as const,
        hints: { "1": "a", "2": "b", "3": "c" },
        contentHash: "h",
      })),
    );
  }
  const [session] = await db.insert(sessions).values({ userId: "u", subject: "coding", mode: "practice" }).returning();
  sessionId = session!.id;
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
  // These tests describe the replaced pass-rate bands (CO_PACING=bands), except where said.
  service = new RecommendationService(
    new LearnerFactsRepository(db),
    new LocalProblemBank(db),
    { weakness: 0.4, novelty: 0.2, difficulty: 0.25, recency: 0.15 },
    clock,
    { mode: "bands" },
  );
  engine = new RecommendationService(
    new LearnerFactsRepository(db),
    new LocalProblemBank(db),
    { weakness: 0.4, novelty: 0.2, difficulty: 0.25, recency: 0.15 },
    clock,
    { mode: "success", target: 0.7 },
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

  it("with success pacing, one query more (the problems' difficulties) and still the same for 10 and 1,000 candidates", async () => {
    const small = await countQueries(() => engine.recommend({ userId: "u", subject: "coding", track: { slug: "small", moduleIds: ["m"] } }));
    const large = await countQueries(() => engine.recommend({ userId: "u", subject: "coding", track: { slug: "large", moduleIds: ["m"] } }));
    const practice = await countQueries(() => engine.recommend({ userId: "u", subject: "coding" }));
    expect(large).toBe(small);
    expect(practice).toBe(small);
    expect(large).toBeLessThanOrEqual(6);
  });

  it("picks a due review item first, with a single query", async () => {
    await database.db.insert(reviewQueue).values({
      userId: "u",
      problemId: "large-0500",
      subject: "coding",
      track: "large",
      reason: "fail",
      nextDueAt: new Date(NOW.getTime() - 1000),
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

  it("when several problems score the same, the smallest id wins whatever order the bank lists them in", async () => {
    const pick = await service.recommend({ userId: "u-ties", subject: "coding", track: { slug: "reversed", moduleIds: ["m"] } });
    expect(pick).toMatchObject({ problemId: "rev-a", reason: "ranked" });
  });
});

describe("due reviews", () => {
  const large = { slug: "large", moduleIds: ["m"] };

  it("when a review of another subject is due, a coding recommendation does not offer it", async () => {
    await dueReview("u-subject", "some-math-problem", { subject: "math", track: null });
    const pick = await service.recommend({ userId: "u-subject", subject: "coding", track: large });
    expect(pick?.reason).toBe("ranked");
  });

  it("when a session outside track mode is scoped to a track, only that track's due reviews come first", async () => {
    await dueReview("u-scoped", "large-0042", { track: "large" });
    const inOtherTrack = await service.recommend({ userId: "u-scoped", subject: "coding", reviewTrack: "small" });
    expect(inOtherTrack?.reason).toBe("ranked");
    const inItsTrack = await service.recommend({ userId: "u-scoped", subject: "coding", reviewTrack: "large" });
    expect(inItsTrack).toMatchObject({ problemId: "large-0042", reason: "review" });
    const unscoped = await service.recommend({ userId: "u-scoped", subject: "coding" });
    expect(unscoped).toMatchObject({ problemId: "large-0042", reason: "review" });
  });

  it("outside track mode, candidates are the whole subject, not the scoping track", async () => {
    const pick = await service.recommend({ userId: "u-practice", subject: "coding", reviewTrack: "small" });
    // A new learner's best pick subject-wide: difficulty 1, smallest id.
    expect(pick).toMatchObject({ problemId: "large-0000", reason: "ranked" });
  });
});

describe("learner facts beyond the candidates", () => {
  const small = { slug: "small", moduleIds: ["m"] };

  it("when a learner passed a harder problem in another track, the ceiling and pacing follow it", async () => {
    // large-0002 is difficulty 3: the ceiling becomes 4 and a passing streak aims at 4.
    await history("u-cross", [["large-0002", "passed", 2]]);
    const pick = await service.recommend({ userId: "u-cross", subject: "coding", track: small });
    expect(pick?.problemId).toBe("small-0003");
  });

  it("when a learner fails twice outside the track, the next problem is no harder than the failed one", async () => {
    // Passed a difficulty-4 problem of this track, then failed two difficulty-2 problems elsewhere.
    await history("u-failing", [
      ["small-0003", "passed", 3],
      ["large-0006", "failed", 2],
      ["large-0001", "failed", 1],
    ]);
    const pick = await service.recommend({ userId: "u-failing", subject: "coding", track: small });
    expect(pick).not.toBeNull();
    expect(difficultyOf(pick!.problemId)).toBeLessThanOrEqual(2);
  });

  it("when a topic was practised today in another track, a problem on a fresh topic is preferred", async () => {
    // small-0000 (topic-0) and small-0005 (topic-5) are both difficulty 1.
    // large-0035 and large-0070 are difficulty 1 on topic-0: one pass, one fail keeps pacing at 1.
    await history("u-recent", [
      ["large-0035", "passed", 0.2],
      ["large-0070", "failed", 0.1],
    ]);
    const pick = await service.recommend({ userId: "u-recent", subject: "coding", track: small });
    expect(pick?.problemId).toBe("small-0005");
  });
});

describe("configured weights", () => {
  it("when the weakness weight is 0, mastery no longer steers the pick", async () => {
    // small-0000 (topic-0) would be first by id; strong mastery of topic-0 pushes it back.
    await database.db.insert(mastery).values({ userId: "u-weights", keyType: "topic", keyId: "topic-0", score: 100, ema: 1 });
    const request = { userId: "u-weights", subject: "coding" as const, track: { slug: "small", moduleIds: ["m"] } };
    expect((await service.recommend(request))?.problemId).toBe("small-0005");
    const indifferent = new RecommendationService(
      new LearnerFactsRepository(database.db),
      new LocalProblemBank(database.db),
      { weakness: 0, novelty: 0.2, difficulty: 0.25, recency: 0.15 },
      clock,
      { mode: "bands" },
    );
    expect((await indifferent.recommend(request))?.problemId).toBe("small-0000");
  });
});
