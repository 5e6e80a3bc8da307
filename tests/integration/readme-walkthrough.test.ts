import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEntryPoint, runToEnd } from "../support/entry-point.js";
import { readmeWalkthroughBlocks } from "../support/readme-blocks.js";

/**
 * The README's commands, run as a reader runs them: bash, curl, `npm run token` and node,
 * against `npm start`'s entry point on a free port with a fresh embedded database.
 * curl is wrapped only to report each answer's status on stderr, leaving stdout as the reader sees it.
 */
const CURL_STATUS_SHIM = `curl() { command curl -sS --write-out '%{stderr}HTTP %{http_code}\\n' "$@"; }`;
const BLOCK_MARK = "### walkthrough block";

interface BlockRun {
  source: string;
  stdout: string;
  statuses: number[];
  otherStderr: string[];
}

/** A port nobody listens on now. Not CO_PORT=0: the `stream_url`s would then name port 0. */
async function freePort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return String(port);
}

function splitByBlock(output: string): string[] {
  return output.split(new RegExp(`\\n${BLOCK_MARK} \\d+\\n`)).slice(1);
}

describe("the README walk-through, run as written", () => {
  let dataDir: string;
  let server: ReturnType<typeof runEntryPoint>;
  let port: string;
  let banner: string;
  const env = () => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CO_DATA_DIR: dataDir, CO_PORT: port });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "co-walkthrough-"));
    port = await freePort();
    server = runEntryPoint({ CO_PORT: port, CO_DATA_DIR: dataDir, CO_LOG_LEVEL: "warn" }, /Try: [^\n]*\n/);
    await server.matched;
    banner = server.output().stdout;
  });

  afterAll(async () => {
    server?.child.kill("SIGTERM");
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("when the start banner's Try line is pasted into a shell, it lists the three tracks", async () => {
    const tryLine = /Try: ([^\n]+)\n/.exec(banner)![1]!;
    expect(tryLine).not.toContain("…");
    const run = await runToEnd("bash", ["-c", tryLine], { env: env() });
    expect(run.status, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { items: unknown[] }).items).toHaveLength(3);
  });

  it("when its marked blocks run in order in one shell, every answer is the one the README describes", { timeout: 120_000 }, async () => {
    const blocks = readmeWalkthroughBlocks();
    const script = [
      "set -eu",
      CURL_STATUS_SHIM,
      ...blocks.flatMap((block, i) => [`printf '\\n${BLOCK_MARK} ${i}\\n'; printf '\\n${BLOCK_MARK} ${i}\\n' >&2`, block]),
    ].join("\n");
    const run = await runToEnd("bash", ["-c", script], { env: env() });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const stdouts = splitByBlock(run.stdout);
    const stderrs = splitByBlock(run.stderr);
    const ran: BlockRun[] = blocks.map((source, i) => {
      const lines = (stderrs[i] ?? "").split("\n").filter((line) => line !== "");
      return {
        source,
        stdout: stdouts[i] ?? "",
        statuses: lines.filter((line) => /^HTTP \d{3}$/.test(line)).map((line) => Number(line.slice(5))),
        otherStderr: lines.filter((line) => !/^HTTP \d{3}$/.test(line)),
      };
    });
    for (const block of ran) expect(block.otherStderr, block.source).toEqual([]);

    const [setup, session, submission, advance, studyPath, studyExport, tutor, ...rest] = ran;
    expect(rest, "a walk-through block this test does not know").toEqual([]);

    expect(setup!.statuses).toEqual([]);

    expect(session!.statuses).toEqual([201, 200]);
    const problem = JSON.parse(session!.stdout) as { id: string; starter_code: { javascript: string } };
    expect(problem.id).toBe("collatz-steps");
    expect(problem.starter_code.javascript).toContain("collatzSteps");

    expect(submission!.statuses).toEqual([200]);
    expect(JSON.parse(submission!.stdout)).toMatchObject({ problem_id: "collatz-steps", status: "passed" });

    expect(advance!.statuses).toEqual([200, 200]);
    const [advanced, mastery] = advance!.stdout.split(/(?<=\})(?=\{)/).map((part) => JSON.parse(part));
    expect(advanced).toMatchObject({ status: "active" });
    expect(advanced.problem_id).not.toBe("collatz-steps");
    expect(mastery.items).toContainEqual(expect.objectContaining({ key_type: "topic", key_id: "loops" }));

    expect(studyPath!.statuses).toEqual([201, 200, 200]);
    expect(studyPath!.stdout).toContain('"tasks":[');
    expect(studyPath!.stdout).toContain('"status":"in_progress"');

    expect(studyExport!.statuses).toEqual([200]);
    const csv = studyExport!.stdout.trimEnd().split("\r\n");
    expect(csv[0]).toMatch(/^id,path_id,problem_id,/);
    expect(csv).toHaveLength(1 + 5);

    expect(tutor!.statuses).toEqual([200, 202, 200, 200, 200]);
    const [hint, firstRead, resumed] = tutor!.stdout.split(/(?<=\n)(?=retry: )/);
    expect(JSON.parse(hint!)).toMatchObject({ stream_url: expect.stringContaining(`http://127.0.0.1:${port}/v1/tutor/stream?token=`) });
    expect(firstRead).toMatch(/^id: 1\nevent: message\.start\n/m);
    expect(firstRead).toContain("event: message.end");
    expect(resumed).not.toContain("event: message.start");
    expect(resumed).toMatch(/^id: 2\n/m);
    expect(resumed).toContain("event: message.end");
  });
});
