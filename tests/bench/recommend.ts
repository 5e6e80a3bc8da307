import { writeFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { MemoryCache } from "../../server/src/adapters/cache/memory-cache.js";
import { MemoryContentVersion } from "../../server/src/adapters/cache/memory-content-version.js";
import { ContentCachedProblemBank } from "../../server/src/adapters/problem-bank/content-cached-problem-bank.js";
import { LocalProblemBank } from "../../server/src/adapters/problem-bank/local-problem-bank.js";
import { CatalogCache } from "../../server/src/services/catalog-cache.js";
import { systemClock } from "../../server/src/ports/clock.js";
import { LearnerFactsRepository } from "../../server/src/repositories/learner-facts.repository.js";
import { RecommendationService } from "../../server/src/services/recommendation/recommendation.service.js";
import { openBenchDatabase, percentile } from "./bench-database.js";

/**
 * `npm run bench:recommend`: recommendation latency with 10,000 problems, 200,000 past
 * submissions and 1,000 users, and the number of queries each recommendation costs.
 */
// Every track spans difficulties 1–5 and every learner's history has an order in time, so
// the guardrails meet realistic facts (a track of one difficulty would often leave nothing).
const PROBLEMS = 10_000;
const TRACKS = 10;
const SUBMISSIONS = 200_000;
const USERS = 1_000;
const SAMPLES = Number(process.argv[2] ?? 300);

let queries = 0;
const bench = await openBenchDatabase(() => queries++);
const db = bench.handle.db;
console.log(`Seeding ${bench.label}: ${PROBLEMS} problems, ${SUBMISSIONS} submissions, ${USERS} users…`);
const seedStarted = performance.now();

await db.execute(sql`
  insert into tracks (slug, subject, title, modules)
  select 'bench-' || t, 'coding', 'Bench track ' || t,
         (select jsonb_agg(jsonb_build_object('id', 'm' || m, 'title', 'Module ' || m, 'outcomes', '[]'::jsonb) order by m)
            from generate_series(1, 10) m)
  from generate_series(1, ${TRACKS}) t`);
await db.execute(sql`
  insert into problems (id, subject, title, statement, difficulty, topics, outcomes, track_id, module, position, kind, hints, content_hash)
  select 'p' || lpad(i::text, 5, '0'), 'coding', 'Problem ' || i, 'Statement', 1 + ((i / 3) % 5),
         jsonb_build_array('topic-' || (i % 40), 'topic-' || ((i * 7) % 40)), jsonb_build_array('outcome-' || (i % 25)),
         (select id from tracks where slug = 'bench-' || (1 + (i % ${TRACKS}))), 'm' || (1 + (i / ${TRACKS}) % 10), i,
         'coding', '{"1":"a","2":"b","3":"c"}'::jsonb, 'h'
  from generate_series(1, ${PROBLEMS}) i`);
await db.execute(sql`
  insert into sessions (user_id, subject, mode)
  select 'user-' || u, 'coding', 'practice' from generate_series(1, ${USERS}) u`);
await db.execute(sql`
  insert into submissions (session_id, user_id, problem_id, subject, status, payload_sha256, created_at)
  select s.id, s.user_id, 'p' || lpad((1 + (i * 7919) % ${PROBLEMS})::text, 5, '0'), 'coding',
         case when i % 3 = 0 then 'failed' else 'passed' end, 'x',
         now() - ((i % 1000) || ' hours')::interval - ((i / ${USERS}) || ' minutes')::interval
  from generate_series(1, ${SUBMISSIONS}) i
  join sessions s on s.user_id = 'user-' || (1 + i % ${USERS})`);
await db.execute(sql`
  insert into mastery (user_id, key_type, key_id, score, ema)
  select 'user-' || u, 'topic', 'topic-' || t, (u * t) % 100, ((u * t) % 100) / 100.0
  from generate_series(1, ${USERS}) u, generate_series(0, 39) t`);
await db.execute(sql`analyze`);
console.log(`Seeded in ${Math.round(performance.now() - seedStarted)} ms.`);

const service = new RecommendationService(
  new LearnerFactsRepository(db),
  // As the composition root wires the seeded bank: candidate lists kept until content changes.
  new ContentCachedProblemBank(
    new LocalProblemBank(db),
    new CatalogCache(new MemoryContentVersion(), new MemoryCache(systemClock), systemClock, { ttlSeconds: 300 }),
  ),
  { weakness: 0.4, novelty: 0.2, difficulty: 0.25, recency: 0.15 },
  systemClock,
  { mode: "success", target: 0.7 },
);
const trackModules = Array.from({ length: 10 }, (_, m) => `m${m + 1}`);

async function measure(label: string, requestFor: (i: number) => Parameters<RecommendationService["recommend"]>[0]) {
  await service.recommend(requestFor(0)); // warm-up
  const latencies: number[] = [];
  const perCall: number[] = [];
  let empty = 0;
  for (let i = 1; i <= SAMPLES; i++) {
    const before = queries;
    const started = performance.now();
    const pick = await service.recommend(requestFor(i));
    latencies.push(performance.now() - started);
    perCall.push(queries - before);
    // Null is a real answer (the guardrails leave nothing): counted, since it skips no work.
    if (!pick) empty++;
  }
  latencies.sort((a, b) => a - b);
  return {
    scenario: label,
    samples: SAMPLES,
    p50_ms: Number(percentile(latencies, 50).toFixed(2)),
    p95_ms: Number(percentile(latencies, 95).toFixed(2)),
    queries_per_recommendation: { min: Math.min(...perCall), max: Math.max(...perCall) },
    no_candidate: empty,
  };
}

const results = [
  await measure("track mode (1,000 candidates)", (i) => ({
    userId: `user-${1 + ((i * 37) % USERS)}`,
    subject: "coding",
    track: { slug: `bench-${1 + (i % TRACKS)}`, moduleIds: trackModules },
  })),
  await measure("practice mode (10,000 candidates)", (i) => ({ userId: `user-${1 + ((i * 53) % USERS)}`, subject: "coding" })),
];

console.table(
  results.map((r) => ({
    scenario: r.scenario,
    "p50 ms": r.p50_ms,
    "p95 ms": r.p95_ms,
    "queries/rec": `${r.queries_per_recommendation.min}–${r.queries_per_recommendation.max}`,
  })),
);
const output = {
  date: new Date().toISOString(),
  database: bench.label,
  dataset: { problems: PROBLEMS, submissions: SUBMISSIONS, users: USERS },
  results,
};
const file = new URL("./results/recommend.json", import.meta.url);
writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
console.log(`Written to tests/bench/results/recommend.json`);
await bench.dispose();
