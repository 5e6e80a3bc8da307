import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tutorTurns } from "../../server/src/db/schema/index.js";
import { startFakeNeighbour, type FakeNeighbour } from "../contract/support/fake-neighbour.js";
import { startTestApp, type TestApp } from "../support/test-app.js";
import { chatCompletions } from "./support/fake-llm.js";
import { askForHint, collectSse, createSession, PROBLEM_ID, streamUrlOn } from "./support/tutor-fixtures.js";

const MAX = 2;
let llm: FakeNeighbour;
let app: TestApp;
beforeAll(async () => {
  llm = await startFakeNeighbour();
  app = await startTestApp({ env: { CO_TUTOR_PROVIDER: "openai", CO_OPENAI_BASE: llm.url, CO_MAX_CONCURRENT_SSE: String(MAX) } });
});
afterAll(async () => {
  await app.close();
  await llm.close();
});

/** The model answers "a" and then waits until the test lets it finish. */
function holdModel() {
  let release!: () => void;
  const until = new Promise<void>((resolve) => (release = resolve));
  llm.route("POST", "/chat/completions", chatCompletions({ deltas: ["a", "b"], hold: { after: 1, until } }));
  return release;
}

const turnsOf = async (userId: string) =>
  (await app.db.handle.db.select({ n: count() }).from(tutorTurns).where(eq(tutorTurns.userId, userId)))[0]!.n;

describe("stream slots per user (CO_MAX_CONCURRENT_SSE)", () => {
  it("over the cap answers 429 MAX_STREAMS with {max_streams, active}; a slot frees when a turn ends", async () => {
    const release = holdModel();
    const sessionId = await createSession(app, "cap-user");
    const body = { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 };
    const open = [await askForHint(app, "cap-user", body), await askForHint(app, "cap-user", body)];
    expect(open.map((response) => response.status)).toEqual([202, 202]);
    const refused = await askForHint(app, "cap-user", body);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "MAX_STREAMS", details: { max_streams: MAX, active: MAX } });
    expect(await turnsOf("cap-user")).toBe(MAX);

    // Another learner is not affected.
    const other = await askForHint(app, "cap-other", { ...body, session_id: await createSession(app, "cap-other") });
    expect(other.status).toBe(202);

    release();
    for (const created of open) {
      const { events } = await collectSse(streamUrlOn(app, created.body));
      expect(events.at(-1)!.event).toBe("message.end");
    }
    expect((await askForHint(app, "cap-user", body)).status).toBe(202);
  });

  it("when one learner sends many requests at once, exactly the cap get through", async () => {
    const release = holdModel();
    const sessionId = await createSession(app, "cap-parallel");
    const body = { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 2 };
    const responses = await Promise.all(Array.from({ length: 6 }, () => askForHint(app, "cap-parallel", body)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([202, 202, 429, 429, 429, 429]);
    expect(await turnsOf("cap-parallel")).toBe(MAX);
    release();
  });

  it("over tRPC the refusal carries the same code and details", async () => {
    const release = holdModel();
    const { createTrpcClient } = await import("../support/trpc-client.js");
    const client = createTrpcClient(app.url, await app.tokenFor("cap-trpc"));
    const sessionId = await createSession(app, "cap-trpc");
    const input = { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 as const };
    await client.tutor.createMessage.mutate(input);
    await client.tutor.createMessage.mutate(input);
    await expect(client.tutor.createMessage.mutate(input)).rejects.toMatchObject({
      data: { app_code: "MAX_STREAMS", httpStatus: 429, details: { max_streams: MAX, active: MAX } },
    });
    release();
  });
});
