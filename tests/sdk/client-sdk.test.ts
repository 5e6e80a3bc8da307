import { createCoClient } from "@co/client-sdk";
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

  it("surfaces the §5 code of a failure", async () => {
    const client = createCoClient({ baseUrl: app.url, getToken: () => null });
    await expect(client.tracks.list.query({})).rejects.toMatchObject({ data: { app_code: "UNAUTHORIZED" } });
  });
});
