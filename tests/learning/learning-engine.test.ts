import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mastery, problemDifficulty, reviewQueue } from "../../server/src/db/schema/index.js";
import type { Clock } from "../../server/src/ports/clock.js";
import { DEFAULT_ELO, betaOfDifficulty, sigmoid } from "../../server/src/services/learning/elo.js";
import { createFsrsSchedule } from "../../server/src/services/learning/fsrs-schedule.js";
import { applyObservation, type KeyState } from "../../server/src/services/learning/mastery-update.js";
import { codingBody, codingProblem, openSession, submit } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";

/** The services' clock, stepped by the tests (FSRS due dates and recall depend on it). */
let now = new Date("2026-09-01T08:00:00Z");
const clock: Clock = { now: () => now };
const DAY = 86_400_000;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock });
});
afterAll(() => app.close());

const problem = codingProblem();
const entry = problem.entrypoint!.javascript;
const wrong = `function ${entry}() { return null; }`;
const right = problem.reference_solutions!.javascript;

interface MasteryBody {
  items: { key_type: string; key_id: string; score: number; skill: number; attempts: number; p_success: number }[];
}

describe("skill and difficulty learned from graded submissions (Elo)", () => {
  it("when a learner fails then passes, mastery.list shows skill, attempts and p_success on REST and tRPC", async () => {
    const session = await openSession(app, "elo-user", problem);
    expect((await submit(app, "elo-user", codingBody(session.id, problem, wrong))).body.status).toBe("failed");
    expect((await submit(app, "elo-user", codingBody(session.id, problem, right))).body.status).toBe("passed");

    // By hand: β0 = (d − 3)·0.75; fail at P = σ(−β0), then pass at the moved θ and β.
    const beta0 = betaOfDifficulty(problem.difficulty);
    const p1 = sigmoid(-beta0);
    const theta1 = -0.8 * p1;
    const beta1 = beta0 + 0.8 * p1;
    const p2 = sigmoid(theta1 - beta1);
    const theta2 = theta1 + (0.8 / 1.05) * (1 - p2);

    const rest = await http<MasteryBody>(`${app.url}/v1/mastery?key_type=topic`, { headers: await app.authFor("elo-user") });
    expect(rest.status).toBe(200);
    const topic = rest.body.items.find((item) => item.key_id === problem.topics[0])!;
    // EMA 0.5 → 0.4 → 0.52.
    expect(topic).toMatchObject({ score: 52, attempts: 2 });
    expect(topic.skill).toBeCloseTo(theta2, 10);
    expect(topic.p_success).toBeGreaterThan(0);
    expect(topic.p_success).toBeLessThan(1);

    const trpc = await createTrpcClient(app.url, await app.tokenFor("elo-user")).mastery.list.query({ key_type: "topic" });
    const same = trpc.items.find((item) => item.key_id === problem.topics[0])!;
    expect(same).toMatchObject({ skill: topic.skill, attempts: 2, p_success: topic.p_success });
    expect(same.updated_at).toBeInstanceOf(Date);

    const [row] = await app.db.handle.db.select().from(problemDifficulty).where(eq(problemDifficulty.problemId, problem.id));
    expect(row!.attempts).toBeGreaterThanOrEqual(2);
  });

  it("20 concurrent submissions lose nothing: θ, β, the EMA and the card match 20 applied in turn", { timeout: 120_000 }, async () => {
    // A problem of its own, so β has seen only these 20 attempts.
    const own = codingProblem("two-sum");
    const session = await openSession(app, "elo-conc", own);
    const body = codingBody(session.id, own, own.reference_solutions!.javascript);
    const results = await Promise.all(Array.from({ length: 20 }, () => submit(app, "elo-conc", body)));
    expect(results.map((result) => result.status)).toEqual(Array(20).fill(200));

    let keys: KeyState[] = [
      ...own.topics.map((keyId) => ({ keyType: "topic" as const, keyId, ema: 0.5, score: 50, skill: 0, attempts: 0 })),
      ...own.outcomes.map((keyId) => ({ keyType: "outcome" as const, keyId, ema: 0.5, score: 50, skill: 0, attempts: 0 })),
    ];
    let difficulty = { beta: betaOfDifficulty(own.difficulty), attempts: 0 };
    for (let i = 0; i < 20; i++) ({ keys, difficulty } = applyObservation(keys, difficulty, 1, DEFAULT_ELO));

    const rows = await app.db.handle.db.select().from(mastery).where(eq(mastery.userId, "elo-conc"));
    expect(rows).toHaveLength(keys.length);
    for (const row of rows) {
      const expected = keys.find((key) => key.keyType === row.keyType && key.keyId === row.keyId)!;
      expect(row.attempts).toBe(20);
      expect(row.ema).toBeCloseTo(expected.ema, 10);
      expect(row.skill).toBeCloseTo(expected.skill, 10);
    }
    const [beta] = await app.db.handle.db.select().from(problemDifficulty).where(eq(problemDifficulty.problemId, own.id));
    expect(beta!.attempts).toBe(20);
    expect(beta!.beta).toBeCloseTo(difficulty.beta, 10);
    const [card] = await app.db.handle.db.select().from(reviewQueue).where(eq(reviewQueue.userId, "elo-conc"));
    expect(card!.reps).toBe(20);
    // Never failed, and retention reviews are off by default: the card is kept, not queued.
    expect(card!.reason).toBeNull();
  });
});

describe("FSRS review scheduling (the default scheduler)", () => {
  it("when a learner fails, the problem is due when its FSRS card is; reviewDue shows recall and stability", async () => {
    const user = "fsrs-user";
    const session = await openSession(app, user, problem);
    await submit(app, user, codingBody(session.id, problem, wrong));
    const [row] = await app.db.handle.db.select().from(reviewQueue).where(eq(reviewQueue.userId, user));
    const card = createFsrsSchedule({ retention: 0.9 }).review(null, "again", now);
    expect(row).toMatchObject({ reason: "fail", bucket: 0, state: "review", reps: 1, lapses: 0 });
    expect(row!.nextDueAt).toEqual(card.due);
    expect(row!.stability).toBeCloseTo(card.stability, 10);

    const auth = await app.authFor(user);
    expect((await http<{ items: unknown[] }>(`${app.url}/v1/study-tasks/review-due`, { headers: auth })).body.items).toEqual([]);
    now = new Date(card.due.getTime() + DAY);
    try {
      const due = await http<{ items: { problem_id: string; reason: string; retrievability: number; stability: number }[] }>(
        `${app.url}/v1/study-tasks/review-due`,
        { headers: auth },
      );
      expect(due.body.items).toHaveLength(1);
      expect(due.body.items[0]).toMatchObject({ problem_id: problem.id, reason: "fail" });
      expect(due.body.items[0]!.stability).toBeCloseTo(card.stability, 10);
      // A day past due, recall is below the 0.9 the card was scheduled for.
      expect(due.body.items[0]!.retrievability).toBeLessThan(0.9);
      expect(due.body.items[0]!.retrievability).toBeGreaterThan(0);
      const trpc = await createTrpcClient(app.url, await app.tokenFor(user)).studyTasks.reviewDue.query({});
      expect(trpc.items[0]).toMatchObject({ retrievability: due.body.items[0]!.retrievability, stability: due.body.items[0]!.stability });
    } finally {
      now = new Date("2026-09-01T08:00:00Z");
    }
  });

  it("when the learner passes after failing in the same session, the card is reviewed as Hard", async () => {
    const user = "fsrs-hard";
    const session = await openSession(app, user, problem);
    await submit(app, user, codingBody(session.id, problem, wrong));
    const later = new Date(now.getTime() + 60_000);
    now = later;
    try {
      await submit(app, user, codingBody(session.id, problem, right));
    } finally {
      now = new Date("2026-09-01T08:00:00Z");
    }
    const schedule = createFsrsSchedule({ retention: 0.9 });
    const expected = schedule.review(schedule.review(null, "again", new Date("2026-09-01T08:00:00Z")), "hard", later);
    const [row] = await app.db.handle.db.select().from(reviewQueue).where(eq(reviewQueue.userId, user));
    expect(row).toMatchObject({ reason: "fail", bucket: 1, reps: 2 });
    expect(row!.nextDueAt).toEqual(expected.due);
  });
});

type Schema = { $ref?: string; properties?: Record<string, Schema>; items?: Schema; allOf?: Schema[] };
type OpenApi = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>; components?: { schemas?: Record<string, Schema> } };

/** The property names of the items of an operation's 200 response, following $refs. */
function itemProperties(document: OpenApi, path: string): string[] {
  const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(document.components!.schemas![schema.$ref.split("/").pop()!]!) : schema);
  const response = resolve(document.paths[path]!.get!.responses["200"]!.content!["application/json"]!.schema);
  return Object.keys(resolve(resolve(response.properties!.items!).items!).properties!);
}

describe("the contract additions in the OpenAPI document", () => {
  it("documents skill, attempts and p_success on /v1/mastery, retrievability and stability on review-due", async () => {
    const { body } = await http<OpenApi>(`${app.url}/openapi.json`);
    expect(itemProperties(body, "/v1/mastery")).toEqual(expect.arrayContaining(["score", "skill", "attempts", "p_success"]));
    expect(itemProperties(body, "/v1/study-tasks/review-due")).toEqual(
      expect.arrayContaining(["reason", "next_due_at", "bucket", "retrievability", "stability"]),
    );
  });
});
