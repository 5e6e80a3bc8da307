import { randomUUID } from "node:crypto";
import { createCoClient, streamHint, TRPCClientError } from "@co/client-sdk";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../support/test-app.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

describe("the client SDK against a running server", () => {
  it("calls procedures with the token it is given, batching them in one request", async () => {
    let requests = 0;
    const client = createCoClient({
      baseUrl: app.url,
      getToken: () => app.tokenFor("sdk-user"),
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const [tracks, mastery, health] = await Promise.all([
      client.tracks.list.query({ subject: "coding" }),
      client.mastery.list.query({}),
      client.health.check.query(),
    ]);
    expect(requests).toBe(1);
    expect(tracks.items[0]!.created_at).toBeInstanceOf(Date);
    expect(mastery.items).toEqual([]);
    expect(health.status).toBe("healthy");
  });

  it("surfaces the §5 code of a failure on the TRPCClientError it re-exports", async () => {
    const client = createCoClient({ baseUrl: app.url, getToken: () => null });
    const failure = await client.tracks.list.query({}).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TRPCClientError);
    expect(failure).toMatchObject({ data: { app_code: "UNAUTHORIZED" } });
  });

  it("when Node has no global EventSource and none is passed, a tutor stream fails naming the eventsource package", async () => {
    const global = globalThis as { EventSource?: unknown };
    const saved = global.EventSource;
    delete global.EventSource;
    try {
      const client = createCoClient({ baseUrl: app.url, getToken: () => app.tokenFor("sdk-no-eventsource") });
      const failure = await (async () => {
        for await (const _ of streamHint(client, randomUUID())) throw new Error("no delta can arrive");
      })().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TRPCClientError);
      expect((failure as Error).message).toMatch(/no global EventSource/);
      expect((failure as Error).message).toContain("`npm install eventsource` and pass the `EventSource` that package exports");
      // Queries need no EventSource and still work.
      expect((await client.health.check.query()).status).toBe("healthy");
    } finally {
      if (saved !== undefined) global.EventSource = saved;
    }
  });

  it("with the eventsource package passed in, the same stream reaches the server (which answers for an unknown turn)", async () => {
    const client = createCoClient({
      baseUrl: app.url,
      getToken: () => app.tokenFor("sdk-with-eventsource"),
      EventSource: EventSource as unknown as typeof globalThis.EventSource,
    });
    const failure = await (async () => {
      for await (const _ of streamHint(client, randomUUID())) throw new Error("no delta can arrive");
    })().catch((error: unknown) => error);
    expect(failure).toMatchObject({ data: { app_code: "NOT_FOUND" } });
  });
});
