import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { mintUserToken } from "../../server/src/auth/token-minter.js";
import { loadConfig } from "../../server/src/config/config.js";
import { readContentPack, seedContent } from "../../server/src/content/load-pack.js";
import { startBareBaseline } from "./bare-baseline.js";
import { openBenchDatabase } from "./bench-database.js";

/**
 * `npm run bench` (§14): autocannon on loopback against the CO in its own process, each
 * call beside a bare node:http + postgres.js handler doing the same database work.
 * Uses a throwaway database on CO_DB_URL / CO_TEST_DB_URL and Redis when CO_REDIS_URL is set.
 */
const DURATION = Number(process.argv[2] ?? 5);
const CONNECTIONS = 10;
const SECRET = "bench-secret-that-is-long-enough-for-hs256-000000";
const USER = "bench-user";
const config = loadConfig();

const database = await openBenchDatabase();
if (!database.url) {
  console.error("npm run bench needs PostgreSQL: set CO_DB_URL (or CO_TEST_DB_URL) to a server it may create a database on.");
  await database.dispose();
  process.exit(1);
}
await seedContent(database.handle.db, readContentPack());
const dataDir = mkdtempSync(join(tmpdir(), "co-bench-"));

const server = spawn(process.execPath, ["--import", "tsx", "server/src/main.ts"], {
  cwd: join(import.meta.dirname, "../.."),
  env: {
    PATH: process.env.PATH ?? "",
    CO_PORT: "0",
    CO_DATA_DIR: dataDir,
    CO_DB_URL: database.url,
    CO_JWT_SECRET: SECRET,
    CO_LOG_LEVEL: "warn",
    CO_RATE_LIMIT_REQUESTS: "100000000",
    ...(config.redis.url ? { CO_REDIS_URL: config.redis.url, CO_REDIS_PREFIX: `co-bench-${Date.now()}:` } : {}),
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const base = await new Promise<string>((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (chunk) => {
    out += chunk;
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) resolve(match[1]!);
  });
  server.once("exit", () => reject(new Error(`server exited:\n${out}`)));
});
const baseline = await startBareBaseline(database.url, USER);
const token = await mintUserToken({ secret: SECRET, sub: USER, issuer: config.auth.issuer, audience: config.auth.audience });
const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };

const mathProblem = readContentPack().problems.find((problem) => problem.type === "expression")!;
const session = (await (
  await fetch(`${base}/v1/sessions`, { method: "POST", headers: auth, body: JSON.stringify({ subject: "math", problem_id: mathProblem.id }) })
).json()) as { id: string };
const submission = JSON.stringify({
  session_id: session.id,
  problem_id: mathProblem.id,
  subject: "math",
  payload: { expression: mathProblem.equivalent_answer },
});
// The server starts its sandboxes (JavaScript children, math threads) once it listens; let that
// finish so it does not weigh on the first scenario, and prime one grading end to end.
await fetch(`${base}/v1/submissions`, { method: "POST", headers: auth, body: submission });
await new Promise((resolve) => setTimeout(resolve, 8000));
const batchInput = encodeURIComponent(JSON.stringify({ 0: { json: {} }, 1: { json: {} }, 2: { json: { limit: 20 } } }));

const scenarios = [
  { name: "GET /v1/tracks", co: { path: "/v1/tracks" }, bare: { path: "/tracks" } },
  { name: "GET /v1/sessions/{id}", co: { path: `/v1/sessions/${session.id}` }, bare: { path: `/sessions/${session.id}` } },
  {
    name: "POST /v1/sessions",
    co: { path: "/v1/sessions", method: "POST", body: JSON.stringify({ subject: "math", problem_id: mathProblem.id }) },
    bare: { path: "/sessions", method: "POST", body: JSON.stringify({ subject: "math", problem_id: mathProblem.id }) },
  },
  { name: "POST /v1/submissions (math)", co: { path: "/v1/submissions", method: "POST", body: submission }, bare: { path: "/submissions", method: "POST", body: submission } },
  {
    name: "tRPC batch of 3 queries",
    co: { path: `/trpc/tracks.list,mastery.list,sessions.list?batch=1&input=${batchInput}` },
    bare: { path: "/batch" },
  },
];

const run = async (url: string, target: { path: string; method?: string; body?: string }) => {
  const load = (duration: number) =>
    autocannon({
      url: `${url}${target.path}`,
      connections: CONNECTIONS,
      duration,
      method: target.method ?? "GET",
      headers: auth,
      ...(target.body ? { body: target.body } : {}),
    });
  // A warm-up second first: JIT, pools and caches settle before anything is measured.
  await load(1);
  const result = await load(DURATION);
  if (result.non2xx > 0 || result.errors > 0) console.warn(`  ${url}${target.path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: Math.round(result.requests.average), p50_ms: result.latency.p50, p99_ms: result.latency.p99 };
};

const results = [];
for (const scenario of scenarios) {
  console.log(`${scenario.name} …`);
  const co = await run(base, scenario.co);
  const bare = await run(baseline.url, scenario.bare);
  results.push({ scenario: scenario.name, co, bare, ratio: Number((co.rps / bare.rps).toFixed(2)) });
}

console.table(
  results.map((r) => ({
    call: r.scenario,
    "CO req/s": r.co.rps,
    "CO p50/p99 ms": `${r.co.p50_ms}/${r.co.p99_ms}`,
    "bare req/s": r.bare.rps,
    "bare p50/p99 ms": `${r.bare.p50_ms}/${r.bare.p99_ms}`,
    "CO/bare": r.ratio,
  })),
);
writeFileSync(
  new URL("./results/bench.json", import.meta.url),
  `${JSON.stringify({ date: new Date().toISOString(), duration_s: DURATION, connections: CONNECTIONS, redis: Boolean(config.redis.url), results }, null, 2)}\n`,
);
console.log("Written to tests/bench/results/bench.json.");

server.kill("SIGTERM");
await new Promise((resolve) => server.once("exit", resolve));
await baseline.close();
await database.dispose();
rmSync(dataDir, { recursive: true, force: true });
