import { mintUserToken } from "../../server/src/auth/token-minter.js";
import { loadConfig } from "../../server/src/config/config.js";
import { readContentPack, seedContent } from "../../server/src/content/load-pack.js";
import { openBenchDatabase } from "./bench-database.js";

export const BENCH_SECRET = "bench-secret-that-is-long-enough-for-hs256-000000";
export const BENCH_USER = "bench-user";

/**
 * What every HTTP benchmark shares: a throwaway seeded PostgreSQL database, the environment a
 * CO server under measurement gets (Redis when CO_REDIS_URL is set, a rate limit nothing reaches),
 * and a token of the bench user.
 */
export async function prepareHttpBench() {
  const config = loadConfig();
  const database = await openBenchDatabase();
  if (!database.url) {
    await database.dispose();
    throw new Error("the HTTP benchmarks need PostgreSQL: set CO_DB_URL (or CO_TEST_DB_URL) to a server it may create a database on.");
  }
  const pack = readContentPack();
  await seedContent(database.handle.db, pack);
  const serverEnv = (dataDir: string): Record<string, string> => ({
    CO_DATA_DIR: dataDir,
    CO_DB_URL: database.url!,
    CO_JWT_SECRET: BENCH_SECRET,
    CO_RATE_LIMIT_REQUESTS: "100000000",
    ...(config.redis.url ? { CO_REDIS_URL: config.redis.url, CO_REDIS_PREFIX: `co-bench-${Date.now()}:` } : {}),
  });
  const token = await mintUserToken({ secret: BENCH_SECRET, sub: BENCH_USER, issuer: config.auth.issuer, audience: config.auth.audience });
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const mathProblems = pack.problems.filter((problem) => problem.type === "expression" && problem.equivalent_answer);
  const mathProblem = mathProblems[0]!;
  const codingTrack = pack.tracks.find((track) => track.subject === "coding")!;
  return { config, database, databaseUrl: database.url, serverEnv, headers, mathProblem, mathProblems, codingTrack, redis: Boolean(config.redis.url) };
}

export type HttpBench = Awaited<ReturnType<typeof prepareHttpBench>>;

export interface Target {
  path: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  /** One client per connection, in turn: its own headers and body (a learner of its own). */
  clients?: { headers: Record<string, string>; body: string }[];
}

export interface Scenario {
  name: string;
  co: Target;
  bare: Target;
}

/** A math session of the bench user (or another user's headers) on a CO server, and the submission body that grades on it. */
export async function mathSessionOn(
  bench: HttpBench,
  base: string,
  headers: Record<string, string> = bench.headers,
  problem: HttpBench["mathProblem"] = bench.mathProblem,
) {
  const response = await fetch(`${base}/v1/sessions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ subject: "math", problem_id: problem.id }),
  });
  const session = (await response.json()) as { id: string };
  const submission = JSON.stringify({
    session_id: session.id,
    problem_id: problem.id,
    subject: "math",
    payload: { expression: problem.equivalent_answer },
  });
  return { sessionId: session.id, submission };
}

/**
 * `count` learners, each with a token and a math session of their own on the seeded expression
 * problems in turn: the submission row's clients. Grading admits CO_EVAL_MAX_PER_USER submissions
 * of one user at a time (the fair queue of §15), and a problem's Elo β row is locked by every
 * submission on it until commit, so 64 connections of one user on one problem would measure that
 * queue and that row, not the hot path.
 */
export async function mathLearnersOn(bench: HttpBench, base: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const token = await mintUserToken({ secret: BENCH_SECRET, sub: `bench-learner-${i}`, issuer: bench.config.auth.issuer, audience: bench.config.auth.audience });
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      const problem = bench.mathProblems[i % bench.mathProblems.length]!;
      return { headers, body: (await mathSessionOn(bench, base, headers, problem)).submission };
    }),
  );
}

/** autocannon's per-connection hook: each new connection takes the next client's headers and body. */
export const clientsInTurn = (clients: NonNullable<Target["clients"]>) => {
  let next = 0;
  return (client: { setHeaders(headers: Record<string, string>): void; setBody(body: string): void }) => {
    const chosen = clients[next++ % clients.length]!;
    client.setHeaders(chosen.headers);
    client.setBody(chosen.body);
  };
};

/**
 * The §14 calls, each with the bare handler's equivalent: the reads first, then the writes, so
 * no read measures the autovacuum that 100,000 new rows set off.
 */
export function scenarios(
  bench: HttpBench,
  session: { sessionId: string; submission: string },
  learners: { headers: Record<string, string>; body: string }[],
): Scenario[] {
  const batchInput = encodeURIComponent(JSON.stringify({ 0: { json: {} }, 1: { json: {} }, 2: { json: { limit: 20 } } }));
  const newSession = JSON.stringify({ subject: "math", problem_id: bench.mathProblem.id });
  return [
    { name: "GET /v1/tracks", co: { path: "/v1/tracks" }, bare: { path: "/tracks" } },
    {
      name: "GET /v1/tracks/{slug}/problems (cached catalog)",
      co: { path: `/v1/tracks/${bench.codingTrack.slug}/problems` },
      bare: { path: `/tracks/${bench.codingTrack.slug}/problems` },
    },
    { name: "GET /v1/sessions/{id}", co: { path: `/v1/sessions/${session.sessionId}` }, bare: { path: `/sessions/${session.sessionId}` } },
    {
      name: "tRPC batch of 3 queries",
      co: { path: `/trpc/tracks.list,mastery.list,sessions.list?batch=1&input=${batchInput}` },
      bare: { path: "/batch" },
    },
    { name: "POST /v1/sessions", co: { path: "/v1/sessions", method: "POST", body: newSession }, bare: { path: "/sessions", method: "POST", body: newSession } },
    {
      name: "POST /v1/submissions (math, a learner per connection)",
      co: { path: "/v1/submissions", method: "POST", clients: learners },
      bare: { path: "/submissions", method: "POST", clients: learners },
    },
  ];
}
