import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSession, packProblem, submissionCount, submit } from "../support/learning.js";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const essay = packProblem((problem) => problem.subject === "systems");
const essayBody = (sessionId: string) => ({
  session_id: sessionId,
  problem_id: essay.id,
  subject: "systems",
  payload: { text: "A write-ahead log first, then the table." },
});

describe("essay (systems) submissions", () => {
  it("when a learner submits an essay over REST, the 400 says essays are not graded and names the tutor, and nothing is stored", async () => {
    const session = await openSession(app, "essay-rest", essay);
    const { status, body } = await submit(app, "essay-rest", essayBody(session.id));
    expect(status).toBe(400);
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.message).toMatch(/not graded/);
    expect(body.error.message).toContain("POST /v1/tutor/messages");
    // No circle: the answer names no other subject to try.
    expect(body.error.message).not.toMatch(/expected|must be/);
    expect((body.error as unknown as { details: { issues: { path: string }[] } }).details.issues[0]!.path).toBe("subject");
    expect(await submissionCount(app, "essay-rest")).toBe(0);
  });

  it("when the learner follows the pointer, the tutor takes the essay's session", async () => {
    const session = await openSession(app, "essay-tutor", essay);
    const { status, body } = await http<{ stream_url: string }>(`${app.url}/v1/tutor/messages`, {
      method: "POST",
      headers: await app.authFor("essay-tutor"),
      json: { session_id: session.id, problem_id: essay.id, hint_level: 1, message: "Is a write-ahead log enough here?" },
    });
    expect(status).toBe(202);
    expect(body.stream_url).toContain("/v1/tutor/stream?token=");
  });

  it("over tRPC the same refusal carries VALIDATION_ERROR and the same message", async () => {
    const session = await openSession(app, "essay-trpc", essay);
    const client = createTrpcClient(app.url, await app.tokenFor("essay-trpc"));
    const error = await client.submissions.create.mutate(essayBody(session.id) as never).then(
      () => undefined,
      (reason: { message: string; data: { app_code: string; httpStatus: number } }) => reason,
    );
    expect(error?.data).toMatchObject({ app_code: "VALIDATION_ERROR", httpStatus: 400 });
    expect(error?.message).toMatch(/not graded.*POST \/v1\/tutor\/messages/);
  });

  it("when the subject is unknown, the message lists the graded subjects", async () => {
    const session = await openSession(app, "essay-unknown", essay);
    const { status, body } = await submit(app, "essay-unknown", { ...essayBody(session.id), subject: "physics" });
    expect(status).toBe(400);
    expect(body.error.message).toContain('"coding", "math"');
  });
});
