import { createCoClient, streamHint, TutorStreamError } from "@co/client-sdk";
import { EventSource } from "eventsource";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readContentPack, seedContent } from "../../server/src/content/load-pack.js";
import { openDatabase } from "../../server/src/db/database.js";
import { sessions } from "../../server/src/db/schema/index.js";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { runEntryPoint } from "../support/entry-point.js";
import { chatCompletions } from "./support/fake-llm.js";
import { collectSse, PROBLEM_ID, type ReceivedEvent } from "./support/tutor-fixtures.js";


/** An embedded data dir, migrated and seeded, with an active session of the dev user. */
async function prepareDataDir(dataDir: string): Promise<string> {
  const database = await openDatabase({ kind: "pglite", dataDir: join(dataDir, "pglite") });
  try {
    await database.migrate();
    await seedContent(database.db, readContentPack());
    const [row] = await database.db
      .insert(sessions)
      .values({ userId: "dev-user", subject: "coding", mode: "practice", problemId: PROBLEM_ID })
      .returning({ id: sessions.id });
    return row!.id;
  } finally {
    await database.close();
  }
}

describe("graceful shutdown with open tutor streams", () => {
  let llm: FakeNeighbour;
  beforeAll(async () => {
    llm = await startFakeNeighbour();
    // One delta, then the model waits until the connection goes away.
    llm.route("POST", "/chat/completions", chatCompletions({ deltas: ["First ", "never sent"], hold: { after: 1, until: new Promise(() => {}) } }));
  });
  afterAll(() => llm.close());

  it("on SIGTERM, each open stream (SSE and the tutor.stream subscription) gets error {code: SHUTDOWN} before the process exits 0", { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "co-tutor-shutdown-"));
    try {
      const sessionId = await prepareDataDir(dataDir);
      const devToken = /Dev token[^\n]*\n\s+(\S+)/;
      const server = runEntryPoint(
        { CO_PORT: "0", CO_DATA_DIR: dataDir, CO_LOG_LEVEL: "warn", CO_TUTOR_PROVIDER: "openai", CO_OPENAI_BASE: llm.url },
        devToken,
      );
      await server.matched;
      const { child, exited } = server;
      const stdout = server.output().stdout;
      const base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
      const token = devToken.exec(stdout)![1]!;

      const created = await fetch(`${base}/v1/tutor/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 }),
      });
      expect(created.status).toBe(202);
      const { token: streamToken, turn_id } = (await created.json()) as { token: string; turn_id: string };

      // Two SSE readers and one subscriber of the same turn; SIGTERM once all have the first delta.
      let seen = 0;
      let allStreaming!: () => void;
      const streaming = new Promise<void>((resolve) => (allStreaming = resolve));
      const onDelta = () => ++seen === 3 && allStreaming();
      const readers = [1, 2].map(() => collectSse(`${base}/v1/tutor/stream?token=${streamToken}`, { onEvent: (event: ReceivedEvent) => event.event === "message.delta" && onDelta() }));
      const client = createCoClient({ baseUrl: base, getToken: () => token, EventSource: EventSource as unknown as typeof globalThis.EventSource });
      const subscriber = (async () => {
        const deltas: string[] = [];
        try {
          for await (const delta of streamHint(client, turn_id)) {
            deltas.push(delta);
            onDelta();
          }
        } catch (error) {
          return { deltas, error };
        }
        return { deltas, error: undefined };
      })();
      await streaming;
      child.kill("SIGTERM");

      for (const { events } of await Promise.all(readers)) {
        expect(events.map((event) => event.event)).toEqual(["message.start", "message.delta", "error"]);
        expect(events.at(-1)!.data).toMatchObject({ code: "SHUTDOWN", message: expect.stringMatching(/shutting down/) });
      }
      const subscribed = await subscriber;
      expect(subscribed.deltas).toEqual(["First "]);
      expect(subscribed.error).toBeInstanceOf(TutorStreamError);
      expect(subscribed.error).toMatchObject({ code: "SHUTDOWN" });
      expect(await exited).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
