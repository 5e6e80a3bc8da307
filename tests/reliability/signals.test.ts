import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEntryPoint } from "../support/entry-point.js";

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
      const listening = /listening on http:\/\/127\.0\.0\.1:(\d+)\D/; // up to what follows the port: a chunk may end inside it
      const server = runEntryPoint({ CO_PORT: "0", CO_DATA_DIR: dataDir, CO_LOG_LEVEL: "warn" }, listening, PRODUCTION_COMMAND);
      await server.matched;
      const port = Number(listening.exec(server.output().stdout)![1]);
      const { child, exited } = server;
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
