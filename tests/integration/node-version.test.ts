import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const SYSTEM_NODE = "/usr/bin/node";

/** The machine's own Node (20 on this kind of machine), when it is older than the one npm scripts run. */
function olderSystemNode(): string | undefined {
  if (!existsSync(SYSTEM_NODE)) return undefined;
  const version = spawnSync(SYSTEM_NODE, ["-p", "process.versions.node"], { encoding: "utf8" }).stdout.trim();
  return Number(version.split(".")[0]) < 24 ? version : undefined;
}

describe("runtime", () => {
  it("npm scripts run on Node 24", () => {
    expect(Number(process.versions.node.split(".")[0])).toBe(24);
  });

  const older = olderSystemNode();
  it.skipIf(!older)(`when started on an older Node (${older ?? "none here"}), the process says so in one line and exits`, () => {
    for (const entry of ["server/src/main.ts", "server/src/scripts/token.ts"]) {
      const run = spawnSync(SYSTEM_NODE, ["--import", "tsx", entry], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      const lines = run.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`needs Node 24 LTS; this is Node ${older}`);
      expect(run.stdout).toBe("");
    }
  });
});
