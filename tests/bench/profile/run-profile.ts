import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { clientsInTurn, mathLearnersOn, mathSessionOn, prepareHttpBench, scenarios, type Target } from "../bench-setup.js";
import { startCoServer } from "../co-server.js";
import { layerCosts, LAYERS, type CpuProfile } from "./layers.js";

/**
 * `npm run bench:profile [-- --before <checkout>]`: CPU-profiles the CO under load for
 * `GET /v1/sessions/{id}` and `POST /v1/sessions` and prints µs of CPU per request in each
 * layer. Only the measured window is profiled (SIGUSR2 toggles the profiler in the server).
 */
const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "8" },
    connections: { type: "string", default: "64" },
    before: { type: "string" },
    scenario: { type: "string", multiple: true },
  },
});
const wanted = values.scenario ?? ["GET /v1/sessions/{id}", "POST /v1/sessions"];
const bench = await prepareHttpBench();

async function profileOn(dir: string | undefined, label: string) {
  const dataDir = mkdtempSync(join(tmpdir(), "co-profile-"));
  const out = join(dataDir, "profile.cpuprofile");
  const results: Record<string, Record<string, number>> = {};
  for (const name of wanted) {
    const server = await startCoServer({
      env: { ...bench.serverEnv(dataDir), CO_PROFILE_OUT: out },
      nodeArgs: ["--import", join(import.meta.dirname, "profiler-preload.mjs")],
      ...(dir ? { dir } : {}),
    });
    const session = await mathSessionOn(bench, server.url);
    const scenario = scenarios(bench, session, await mathLearnersOn(bench, server.url, Number(values.connections))).find((candidate) => candidate.name === name);
    if (!scenario) throw new Error(`no scenario named ${name}`);
    const load = (target: Target, duration: number) =>
      autocannon({
        url: `${server.url}${target.path}`,
        connections: Number(values.connections),
        duration,
        method: (target.method ?? "GET") as "GET",
        headers: bench.headers,
        ...(target.body ? { body: target.body } : {}),
        ...(target.clients ? { setupClient: clientsInTurn(target.clients) } : {}),
      });
    await load(scenario.co, 3);
    server.process.kill("SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 200));
    const measured = await load(scenario.co, Number(values.duration));
    server.process.kill("SIGUSR2");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const profile = JSON.parse(readFileSync(out, "utf8")) as CpuProfile;
    const costs = layerCosts(profile, measured.requests.total);
    const total = Object.values(costs).reduce((sum, value) => sum + value, 0);
    results[name] = { ...costs, total: Math.round(total * 10) / 10, "req/s": Math.round(measured.requests.average) };
    await server.stop();
  }
  if (process.env.KEEP_PROFILE) console.log("profile kept in", out); else rmSync(dataDir, { recursive: true, force: true });
  console.log(`\n${label}: µs of server CPU per request, by layer`);
  console.table(Object.fromEntries([...LAYERS, "total", "req/s"].map((layer) => [layer, Object.fromEntries(wanted.map((name) => [name, results[name]![layer]]))])));
  return results;
}

const after = await profileOn(undefined, "this checkout");
if (values.before) await profileOn(values.before, `before (${values.before})`);
void after;
await bench.database.dispose();
