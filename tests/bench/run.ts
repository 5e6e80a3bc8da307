import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import { startBareBaseline } from "./bare-baseline.js";
import { BENCH_USER, clientsInTurn, mathLearnersOn, mathSessionOn, prepareHttpBench, scenarios, type Target } from "./bench-setup.js";
import { startCoServer } from "./co-server.js";

/**
 * `npm run bench:http` (§14): autocannon on loopback against the CO in its own process, each
 * call beside a bare node:http + postgres.js handler doing the same database work, on the same
 * Node. `--before <checkout>` also measures an older checkout of the CO in the same run, so a
 * change is judged by ratios taken minutes apart on one machine, not across days.
 */
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "64" },
    before: { type: "string" },
    /** Only the scenarios whose names contain one of these. */
    only: { type: "string", multiple: true },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);

const bench = await prepareHttpBench();
const dataDirs: string[] = [];
const startServer = (dir?: string) => {
  const dataDir = mkdtempSync(join(tmpdir(), "co-bench-"));
  dataDirs.push(dataDir);
  return startCoServer({ env: bench.serverEnv(dataDir), ...(dir ? { dir } : {}) });
};
const co = await startServer();
const before = values.before ? await startServer(values.before) : undefined;
const baseline = await startBareBaseline(bench.databaseUrl, BENCH_USER);

const session = await mathSessionOn(bench, co.url);
const learners = await mathLearnersOn(bench, co.url, CONNECTIONS);
// The servers start their sandboxes (JavaScript children, math threads) once they listen: prime one
// grading on each and let that settle, so it does not weigh on the first scenario.
for (const server of [co, before]) if (server) await fetch(`${server.url}/v1/submissions`, { method: "POST", headers: bench.headers, body: session.submission });
await new Promise((resolve) => setTimeout(resolve, 8000));

const run = async (url: string, target: Target) => {
  const load = (duration: number) =>
    autocannon({
      url: `${url}${target.path}`,
      connections: CONNECTIONS,
      duration,
      method: (target.method ?? "GET") as "GET",
      headers: { ...bench.headers, ...target.headers },
      ...(target.body ? { body: target.body } : {}),
      ...(target.clients ? { setupClient: clientsInTurn(target.clients) } : {}),
    });
  // A warm-up first: JIT, pools and caches settle before anything is measured.
  await load(2);
  const result = await load(DURATION);
  if (result.non2xx > 0 || result.errors > 0) console.warn(`  ${url}${target.path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: Math.round(result.requests.average), p50_ms: result.latency.p50, p99_ms: result.latency.p99, non2xx: result.non2xx };
};

console.log(`Node ${process.version}, ${CONNECTIONS} connections, ${DURATION} s per call, ${bench.redis ? "PostgreSQL + Redis" : "PostgreSQL, in-process state"}`);
const results = [];
const chosen = scenarios(bench, session, learners).filter((scenario) => !values.only || values.only.some((part) => scenario.name.includes(part)));
for (const scenario of chosen) {
  console.log(`${scenario.name} …`);
  // The rows before this one may have added 100,000 sessions or submissions; without fresh
  // statistics the planner would still see a small table and scan it, as no production database
  // does once autovacuum has analysed it. Both servers then measure their call, not that residue.
  await bench.database.handle.db.execute(sql`analyze`);
  const measured = await run(co.url, scenario.co);
  const previous = before ? await run(before.url, scenario.co) : undefined;
  const bare = await run(baseline.url, scenario.bare);
  results.push({
    scenario: scenario.name,
    co: measured,
    bare,
    ratio: Number((measured.rps / bare.rps).toFixed(2)),
    ...(previous ? { before: previous, before_ratio: Number((previous.rps / bare.rps).toFixed(2)) } : {}),
  });
}

console.table(
  results.map((r) => ({
    call: r.scenario,
    "CO req/s": r.co.rps,
    "CO p50/p99 ms": `${r.co.p50_ms}/${r.co.p99_ms}`,
    "bare req/s": r.bare.rps,
    "bare p50/p99 ms": `${r.bare.p50_ms}/${r.bare.p99_ms}`,
    "CO/bare": r.ratio,
    ...(r.before ? { "before req/s": r.before.rps, "before p99": r.before.p99_ms, "before/bare": r.before_ratio } : {}),
  })),
);
writeFileSync(
  new URL("./results/bench.json", import.meta.url),
  `${JSON.stringify(
    { date: new Date().toISOString(), node: process.version, duration_s: DURATION, connections: CONNECTIONS, redis: bench.redis, ...(values.before ? { before: values.before } : {}), results },
    null,
    2,
  )}\n`,
);
console.log("Written to tests/bench/results/bench.json.");

await co.stop();
await before?.stop();
await baseline.close();
await bench.database.dispose();
for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
