import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

const refuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });

/**
 * SIGTERM to what a container runs must stop the server itself. npm does not hand SIGTERM on
 * to its script (it dies and leaves the server running), so the README's production command is
 * the one below: Node itself, loading the TypeScript with tsx's loader, no process in between.
 */
export const PRODUCTION_COMMAND = ["node_modules/.bin/node", "--import", "tsx", "server/src/main.ts"] as const;

describe("when SIGTERM is sent to the README's production command", () => {
  it("the server itself stops gracefully: it exits 0 and nothing listens on the port any more", { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "co-signal-"));
    try {
      const [command, ...args] = PRODUCTION_COMMAND;
      const child = spawn(command, args, {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", CO_PORT: "0", CO_DATA_DIR: dataDir, CO_LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout.on("data", () => {
          const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout);
          if (match) resolve(Number(match[1]));
        });
        void exited.then(() => reject(new Error(`exited before listening:\n${stdout}\n${stderr}`)));
      });
      expect(await refuses(port)).toBe(false);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      let closed = false;
      for (let attempt = 0; attempt < 50 && !closed; attempt++) {
        closed = await refuses(port);
        if (!closed) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(closed, "a process still listens after it exited").toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
