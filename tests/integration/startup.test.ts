import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT as ROOT, runEntryPoint } from "../support/entry-point.js";

describe("start-up configuration", () => {
  it("when CO_PORT is not a number, the process exits non-zero naming the variable", async () => {
    const run = runEntryPoint({ CO_PORT: "abc" });
    expect(await run.exited).not.toBe(0);
    expect(run.output().stderr).toContain("CO_PORT");
  });

  it("when production has no JWT key source, it refuses to start", async () => {
    const run = runEntryPoint({ CO_ENVIRONMENT: "production" });
    expect(await run.exited).not.toBe(0);
    expect(run.output().stderr).toMatch(/CO_JWT_PUBLIC_KEY/);
  });

  it("when production is given an HS256 secret, it refuses to start", async () => {
    const run = runEntryPoint({ CO_ENVIRONMENT: "production", CO_JWKS_URL: "https://example.com/jwks", CO_JWT_SECRET: "s".repeat(40) });
    expect(await run.exited).not.toBe(0);
    expect(run.output().stderr).toContain("CO_JWT_SECRET");
  });

  it("when the PEM key cannot be read, it refuses to start naming CO_JWT_PUBLIC_KEY", async () => {
    const run = runEntryPoint({ CO_ENVIRONMENT: "production", CO_JWT_PUBLIC_KEY: "not a key", CO_STREAM_TOKEN_SECRET: "t".repeat(32) });
    expect(await run.exited).not.toBe(0);
    expect(run.output().stderr).toContain("CO_JWT_PUBLIC_KEY");
  });

  it("in embedded mode it migrates, seeds, serves, prints the URLs and a token, and stops on SIGTERM", { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "co-embedded-"));
    try {
      const run = runEntryPoint({ CO_PORT: "0", CO_DATA_DIR: dataDir, CO_LOG_LEVEL: "warn" }, /Dev token[^\n]*\n\s+(\S+)/);
      await run.matched;
      const { stdout } = run.output();
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
      expect(stdout).toContain(`${base}/docs`);
      expect(stdout).toContain(`${base}/panel`);
      const token = /Dev token[^\n]*\n\s+(\S+)/.exec(stdout)![1]!;
      const tracks = await fetch(`${base}/v1/tracks`, { headers: { authorization: `Bearer ${token}` } });
      expect(tracks.status).toBe(200);
      expect(((await tracks.json()) as { items: unknown[] }).items.length).toBe(3);

      // `npm run token -- --sub <id>` mints another, from the same development secret.
      const minted = spawnSync(process.execPath, ["--import", "tsx", "server/src/scripts/token.ts", "--sub", "alice"], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", CO_DATA_DIR: dataDir },
        encoding: "utf8",
      });
      expect(minted.status, minted.stderr).toBe(0);
      const alice = minted.stdout.trim();
      expect(alice).not.toBe(token);
      const sessions = await fetch(`${base}/v1/sessions`, { headers: { authorization: `Bearer ${alice}` } });
      expect(sessions.status).toBe(200);
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
