import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTokenArgs, UsageError } from "../../server/src/scripts/token-args.js";
import { runToEnd } from "../support/entry-point.js";

describe("npm run token's arguments", () => {
  it("when --expires is a positive span jose accepts, it is taken as given", () => {
    for (const span of ["1h", "30d", "90m", "2 weeks", "1.5 hours", "10s"]) expect(parseTokenArgs(["--expires", span]).expires).toBe(span);
  });

  it("when --expires is not a span, zero or in the past, it is a usage error", () => {
    for (const span of ["banana", "3600", "0h", "-1h", "1h ago", ""]) expect(() => parseTokenArgs(["--expires", span]), span).toThrow(UsageError);
  });

  it("when --sub is empty or longer than 255 characters, it is a usage error", () => {
    expect(() => parseTokenArgs(["--sub", ""])).toThrow(UsageError);
    expect(() => parseTokenArgs(["--sub", "u".repeat(256)])).toThrow(UsageError);
    expect(parseTokenArgs(["--sub", "u".repeat(255)]).sub).toHaveLength(255);
  });
});

describe("npm run token, run as a user runs it", () => {
  let dataDir: string;
  const run = (args: string[]) =>
    runToEnd("npm", ["run", "-s", "token", "--", ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CO_DATA_DIR: dataDir },
    });

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "co-token-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    [["--expires", "banana"], /--expires 'banana' is not a positive time span/],
    [["--sub"], /--sub <value>' argument missing/],
    [["--sub", "--expires", "1h"], /'--sub' argument is ambiguous/],
    [["--colour", "red"], /Unknown option '--colour'/],
  ])("when called with %j, it prints one usage line to stderr and exits 2", async (args, reason) => {
    const result = await run(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(reason);
    expect(lines[0]).toContain("usage: npm run token -- [--sub <user-id>] [--expires <span");
    // Refused before the configuration is read: no development secret was generated for it.
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it("when called with --sub and --expires, it prints a token for that user expiring then", async () => {
    const result = await run(["--sub", "bob", "--expires", "1h"]);
    expect(result.status, result.stderr).toBe(0);
    const claims = decodeJwt(result.stdout.trim());
    expect(claims.sub).toBe("bob");
    expect(claims.exp! - claims.iat!).toBe(3600);
  });
});
