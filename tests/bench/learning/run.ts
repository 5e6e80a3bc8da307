import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import type { BankProblem } from "@co/shared";
import { parseConfig } from "../../../server/src/config/config.js";
import { readContentPack, seedContent } from "../../../server/src/content/load-pack.js";
import { openDatabase } from "../../../server/src/db/database.js";
import { reviewQueue } from "../../../server/src/db/schema/index.js";
import { createFsrsSchedule } from "../../../server/src/services/learning/fsrs-schedule.js";
import { cardOf } from "../../../server/src/services/learning/review-scheduler.js";
import { MODEL, problemTruths, SimLearner, type ProblemTruth } from "./learner-model.js";
import { auc, logLoss, perGroupRates, quantile } from "./metrics.js";
import { masteryPlot } from "./plot.js";
import { buildSimServices } from "./sim-services.js";

/**
 * `npm run bench:learning`: simulated learners on the seeded coding and math tracks,
 * driven through the real services and repositories on PGlite with a simulated clock,
 * under three policies (in-order, the replaced rules, the learning engine).
 * Writes tests/bench/results/learning.json and learning.svg.
 */
const LEARNERS = Number(process.argv[2] ?? 100);
const DAYS = 120;
const ATTEMPTS_PER_DAY = 10;
const IN_ORDER_RETRIES = 3;
const SEED = 20_261_202;
const TRACKS = ["coding-foundations", "math-foundations"] as const;
const DAY_MS = 86_400_000;
const START = Date.parse("2027-01-04T00:00:00Z");
const SECRET = "simulation-secret-long-enough-for-hs256-0123456789";

type PolicyName = "in_order" | "seed_rules" | "engine" | "engine_retention_reviews";
/**
 * `shared`: the policy's decisions read what other learners taught the CO (the engine's Elo β
 * of each problem), so its learners must share one database. Under the others a learner's
 * decisions read only their own rows, so their learners run in shards side by side, with the
 * same results as in one process.
 */
const POLICIES: { name: PolicyName; label: string; color: string; shared: boolean; env: Record<string, string> }[] = [
  { name: "in_order", label: "in-order", color: "#888888", shared: false, env: {} },
  { name: "seed_rules", label: "replaced rules", color: "#d95f02", shared: false, env: { CO_PACING: "bands", CO_REVIEW_SCHEDULER: "buckets" } },
  { name: "engine", label: "engine", color: "#1b9e77", shared: true, env: { CO_PACING: "success", CO_REVIEW_SCHEDULER: "fsrs", CO_RETENTION_REVIEWS: "false" } },
  { name: "engine_retention_reviews", label: "engine + retention", color: "#7570b3", shared: true, env: { CO_PACING: "success", CO_REVIEW_SCHEDULER: "fsrs", CO_RETENTION_REVIEWS: "true" } },
];
/** Shards of a policy whose learners are independent: enough to fill both cores beside a shared one. */
const SHARDS = 4;
const LANES = 2;

interface LearnerRun {
  userId: string;
  track: (typeof TRACKS)[number];
  subject: "coding" | "math";
  learner: SimLearner;
  attempts: number;
  masteredAt: { attempts: number; days: number } | null;
  endAt: number;
  /** Mastered share after every 10 attempts. */
  trajectory: number[];
  inOrder: { index: number; retries: number; sessionId: string | null; problemId: string | null };
}

interface ReviewEvent {
  y: 0 | 1;
  fsrs: number | null;
  group: string;
}

const fsrsRecall = createFsrsSchedule({ retention: 0.9 });

/** One shard of a policy's learners: those whose index is `index` modulo `count`. */
interface Shard {
  index: number;
  count: number;
}

async function runPolicy(policy: (typeof POLICIES)[number], shard: Shard) {
  const started = performance.now();
  const database = await openDatabase({ kind: "pglite" });
  await database.migrate();
  await seedContent(database.db, readContentPack());
  let now = START;
  const clock = { now: () => new Date(now) };
  const config = parseConfig({ CO_ENVIRONMENT: "test", CO_JWT_SECRET: SECRET, CO_LOG_LEVEL: "silent", ...policy.env });
  const services = buildSimServices(database.db, config, clock);

  const tracks = new Map<string, { problems: BankProblem[]; truths: Map<string, ProblemTruth>; medianB: Map<string, number> }>();
  for (const [i, slug] of TRACKS.entries()) {
    const problems = await services.problemBank.listProblems({ track: slug });
    const truths = problemTruths(problems, SEED + i);
    tracks.set(slug, { problems, truths: new Map(truths.map((t) => [t.id, t])), medianB: SimLearner.medianDifficulty(truths) });
  }

  const indices = Array.from({ length: LEARNERS }, (_, i) => i).filter((i) => i % shard.count === shard.index);
  const learners: LearnerRun[] = indices.map((i) => {
    const track = TRACKS[i % TRACKS.length]!;
    const { truths, medianB } = tracks.get(track)!;
    return {
      userId: `learner-${i}`,
      track,
      subject: track === "coding-foundations" ? "coding" : "math",
      learner: new SimLearner(SEED * 7 + i, [...truths.values()], medianB),
      attempts: 0,
      masteredAt: null,
      endAt: START + DAYS * DAY_MS,
      trajectory: [],
      inOrder: { index: 0, retries: 0, sessionId: null, problemId: null },
    };
  });
  for (const run of learners) run.trajectory.push(run.learner.masteredShare());

  const events: ReviewEvent[] = [];

  /** One graded attempt through the real services: the simulated outcome, which the CO then grades. */
  async function attempt(run: LearnerRun, sessionId: string, problemId: string, day: number): Promise<boolean> {
    const truth = tracks.get(run.track)!.truths.get(problemId)!;
    // The review row before the attempt, for the schedulers' predictions (in-order keeps none).
    const [row] = policy.name === "in_order"
      ? []
      : await database.db
          .select()
          .from(reviewQueue)
          .where(and(eq(reviewQueue.userId, run.userId), eq(reviewQueue.problemId, problemId)));
    const passed = run.learner.attempt(truth, now);
    if (row) {
      const card = cardOf(row);
      events.push({
        y: passed ? 1 : 0,
        fsrs: card && card.lastReview ? fsrsRecall.retrievability(card, new Date(now)) : null,
        group: row.reason === null ? "not queued" : `bucket ${row.bucket}`,
      });
    } else if (policy.name === "seed_rules" && run.learner.passed.has(problemId)) {
      // Under buckets a problem leaves the queue past the last bucket (or was never failed).
      events.push({ y: passed ? 1 : 0, fsrs: null, group: "not queued" });
    }
    services.evaluator.next = passed;
    await services.submissions.create(
      run.userId,
      run.subject === "coding"
        ? { session_id: sessionId, problem_id: problemId, subject: "coding", payload: { language: "javascript", code: "simulated" } }
        : { session_id: sessionId, problem_id: problemId, subject: "math", payload: { expression: "simulated" } },
    );
    run.attempts++;
    now += 3 * 60_000;
    if (run.attempts % 10 === 0) run.trajectory.push(run.learner.masteredShare());
    if (run.learner.masteredShare() >= 1) {
      run.masteredAt = { attempts: run.attempts, days: day + 1 };
      run.endAt = now;
      if (run.attempts % 10 !== 0) run.trajectory.push(1);
    }
    return passed;
  }

  async function inOrderDay(run: LearnerRun, day: number) {
    const { problems } = tracks.get(run.track)!;
    run.inOrder.sessionId = null; // a new day, a new session
    for (let k = 0; k < ATTEMPTS_PER_DAY && !run.masteredAt; k++) {
      const problem = problems[run.inOrder.index % problems.length]!;
      if (!run.inOrder.sessionId || run.inOrder.problemId !== problem.id) {
        const session = await services.sessions.create(run.userId, { subject: run.subject, mode: "practice", problem_id: problem.id });
        run.inOrder.sessionId = session.id;
        run.inOrder.problemId = problem.id;
      }
      const passed = await attempt(run, run.inOrder.sessionId, problem.id, day);
      if (passed || run.inOrder.retries >= IN_ORDER_RETRIES) {
        run.inOrder.index++;
        run.inOrder.retries = 0;
      } else {
        run.inOrder.retries++;
      }
    }
  }

  async function recommendedDay(run: LearnerRun, day: number) {
    let session = await services.sessions.create(run.userId, { subject: run.subject, mode: "practice" });
    for (let k = 0; k < ATTEMPTS_PER_DAY && !run.masteredAt && session.problem_id; k++) {
      await attempt(run, session.id, session.problem_id, day);
      if (run.masteredAt || k === ATTEMPTS_PER_DAY - 1) break;
      session = await services.sessions.update(run.userId, session.id, "advance");
    }
  }

  for (let day = 0; day < DAYS; day++) {
    const active = learners.filter((run) => !run.masteredAt);
    if (active.length === 0) break;
    for (const run of active) {
      now = START + day * DAY_MS + 9 * 3_600_000;
      if (policy.name === "in_order") await inOrderDay(run, day);
      else await recommendedDay(run, day);
    }
  }
  await database.close();

  const outcomes: LearnerOutcome[] = learners.map((run) => ({
    attempts: run.attempts,
    masteredAt: run.masteredAt,
    retention30d: run.learner.retention(run.endAt + 30 * DAY_MS),
    trajectory: run.trajectory,
  }));
  return { outcomes, events, seconds: (performance.now() - started) / 1000 };
}

interface LearnerOutcome {
  attempts: number;
  masteredAt: { attempts: number; days: number } | null;
  retention30d: number;
  trajectory: number[];
}

type ShardRun = Awaited<ReturnType<typeof runPolicy>>;

/** A policy's figures over all its learners, whichever shard ran them. */
function policyResult(shards: ShardRun[]) {
  const outcomes = shards.flatMap((shard) => shard.outcomes);
  const attemptsToMastery = outcomes.map((outcome) => outcome.masteredAt?.attempts ?? Infinity);
  const daysToMastery = outcomes.map((outcome) => outcome.masteredAt?.days ?? Infinity);
  return {
    learners: outcomes.length,
    attempts_to_mastery_median: quantile(attemptsToMastery, 0.5),
    attempts_to_mastery_p90: quantile(attemptsToMastery, 0.9),
    days_to_mastery_median: quantile(daysToMastery, 0.5),
    reached_mastery_share: outcomes.filter((outcome) => outcome.masteredAt).length / outcomes.length,
    retention_30d: round(mean(outcomes.map((outcome) => outcome.retention30d))),
    attempts_total: outcomes.reduce((sum, outcome) => sum + outcome.attempts, 0),
    /** CPU seconds over its shards (they run side by side). */
    seconds: round(shards.reduce((sum, shard) => sum + shard.seconds, 0), 1),
  };
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
const round = (value: number, digits = 4) => Number(value.toFixed(digits));

function schedulerScores(events: ReviewEvent[]) {
  const withCard = events.filter((event) => event.fsrs !== null) as (ReviewEvent & { fsrs: number })[];
  const fsrsEvents = withCard.map((event) => ({ p: event.fsrs, y: event.y }));
  const bucketEvents = perGroupRates(withCard);
  return {
    reviews: withCard.length,
    fsrs: { log_loss: round(logLoss(fsrsEvents)), auc: round(auc(fsrsEvents)) },
    buckets: { log_loss: round(logLoss(bucketEvents)), auc: round(auc(bucketEvents)) },
  };
}

/**
 * Each shard of a policy runs in a child process of its own (PGlite is single-threaded), two
 * at a time so the run fits the machine's two cores, longest first (a shared policy is one
 * shard of all its learners); a worker writes its run to a file.
 */
const worker = process.env.LEARNING_BENCH_WORKER as PolicyName | undefined;
if (worker) {
  const [index, count] = (process.env.LEARNING_BENCH_SHARD ?? "0/1").split("/").map(Number) as [number, number];
  const run = await runPolicy(POLICIES.find((policy) => policy.name === worker)!, { index, count });
  console.log(`${worker} shard ${index + 1}/${count}: ${run.outcomes.length} learners, ${run.outcomes.reduce((sum, o) => sum + o.attempts, 0)} attempts, ${round(run.seconds, 1)} s`);
  writeFileSync(process.env.LEARNING_BENCH_OUT!, JSON.stringify(run));
  process.exit(0);
}

const scratch = mkdtempSync(join(tmpdir(), "co-learning-bench-"));
// The retention-review variant of the engine runs only when asked for (it costs a fourth run).
const only = process.env.LEARNING_BENCH_POLICIES?.split(",") ?? ["in_order", "seed_rules", "engine"];
const chosen = POLICIES.filter((policy) => only.includes(policy.name));
const shardRuns = new Map<PolicyName, ShardRun[]>(chosen.map((policy) => [policy.name, []]));
const benchStarted = performance.now();
const jobs = [
  ...chosen.filter((policy) => policy.shared).map((policy) => ({ policy, shard: { index: 0, count: 1 } })),
  ...chosen.filter((policy) => !policy.shared).flatMap((policy) => Array.from({ length: SHARDS }, (_, index) => ({ policy, shard: { index, count: SHARDS } }))),
];
await Promise.all(
  Array.from({ length: Math.min(LANES, jobs.length) }, async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const { policy, shard } = job;
      const out = join(scratch, `${policy.name}-${shard.index}.json`);
      await new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(LEARNERS)], {
          env: { ...process.env, LEARNING_BENCH_WORKER: policy.name, LEARNING_BENCH_SHARD: `${shard.index}/${shard.count}`, LEARNING_BENCH_OUT: out },
          stdio: ["ignore", "inherit", "inherit"],
        });
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${policy.name} shard ${shard.index} exited with ${code}`))));
      });
      shardRuns.get(policy.name)!.push(JSON.parse(readFileSync(out, "utf8")) as ShardRun);
    }
  }),
);
const eventsOf = (name: PolicyName) => shardRuns.get(name)?.flatMap((run) => run.events) ?? [];
const trajectoriesOf = (name: PolicyName) => shardRuns.get(name)!.flatMap((run) => run.outcomes.map((outcome) => outcome.trajectory));
rmSync(scratch, { recursive: true, force: true });

const ownBuckets = perGroupRates(eventsOf("seed_rules"));
const engineScores = schedulerScores(eventsOf("engine"));
const output = {
  date: new Date().toISOString(),
  learners: LEARNERS,
  tracks: TRACKS,
  days: DAYS,
  attempts_per_day: ATTEMPTS_PER_DAY,
  seed: SEED,
  model: MODEL,
  seconds: round((performance.now() - benchStarted) / 1000, 1),
  policies: Object.fromEntries(chosen.map((policy) => [policy.name, policyResult(shardRuns.get(policy.name)!)])),
  scheduler: {
    note:
      "Both predict the simulated outcome of every re-attempt of a problem that had a card, in the engine run: FSRS by its retrievability, buckets by one recall rate per bucket (and one for problems not queued) fitted in-sample on those same events. buckets_own_run fits the same way on the replaced rules' own run.",
    reviews: engineScores.reviews,
    fsrs: engineScores.fsrs,
    buckets: engineScores.buckets,
    buckets_own_run: { reviews: ownBuckets.length, log_loss: round(logLoss(ownBuckets)), auc: round(auc(ownBuckets)) },
  },
};
mkdirSync(new URL("../results/", import.meta.url), { recursive: true });
writeFileSync(new URL("../results/learning.json", import.meta.url), `${JSON.stringify(output, null, 2)}\n`);

const maxAttempts = Math.max(...chosen.flatMap((policy) => trajectoriesOf(policy.name).map((t) => t.length)));
const series = chosen.map((policy) => {
  const trajectories = trajectoriesOf(policy.name);
  const points: [number, number][] = [];
  for (let i = 0; i < maxAttempts; i++) points.push([i * 10, mean(trajectories.map((t) => t[Math.min(i, t.length - 1)]!))]);
  return { label: policy.label, color: policy.color, points };
});
writeFileSync(
  new URL("../results/learning.svg", import.meta.url),
  masteryPlot(series, `Simulated learners (${LEARNERS}): mean true mastery against attempts`),
);
console.log("Written to tests/bench/results/learning.json and learning.svg");
