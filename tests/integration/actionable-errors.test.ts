import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { http, startTestApp, type TestApp } from "../support/test-app.js";
import { createTrpcClient } from "../support/trpc-client.js";

let app: TestApp;
let token: string;
let authorization: string;
beforeAll(async () => {
  app = await startTestApp();
  token = await app.tokenFor("messages-user");
  authorization = `Bearer ${token}`;
});
afterAll(() => app.close());

const SESSION = "00000000-0000-4000-8000-000000000000";
const HOW_TO_SEND_JSON = "send `Content-Type: application/json` with a JSON body";

type Envelope = { error: { code: string; message: string; details: Record<string, unknown> } };
type TrpcError = { error: { json: { message: string; data: { code: string; httpStatus: number; app_code: string; details: Record<string, unknown> } } } };

const postRaw = (path: string, body: BodyInit, headers: Record<string, string> = { "content-type": "application/json" }) =>
  http<unknown>(`${app.url}${path}`, { method: "POST", headers: { authorization, ...headers }, body });

/** The tRPC client's error for a call, to assert what an SDK user sees. */
async function trpcFailure(call: Promise<unknown>): Promise<TRPCClientError<never>> {
  const error = await call.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  return error as TRPCClientError<never>;
}

describe("a missing or mistyped field", () => {
  it("when hint_level is absent, REST answers 400 '`hint_level` is required' with the values it takes", async () => {
    const { status, body } = await http<Envelope>(`${app.url}/v1/tutor/messages`, {
      method: "POST",
      headers: { authorization },
      json: { session_id: SESSION, problem_id: "two-sum" },
    });
    expect(status).toBe(400);
    expect(body.error).toEqual({
      code: "VALIDATION_ERROR",
      message: "`hint_level` is required: one of `1`, `2`, `3`",
      details: { issues: [{ path: "hint_level", message: "`hint_level` is required: one of `1`, `2`, `3`" }] },
    });
  });

  it("when hint_level is absent, tRPC fails with the same message and issues", async () => {
    const client = createTrpcClient(app.url, token);
    const error = await trpcFailure(client.tutor.createMessage.mutate({ session_id: SESSION, problem_id: "two-sum" } as never));
    expect(error.message).toBe("`hint_level` is required: one of `1`, `2`, `3`");
    expect(error.data).toMatchObject({
      code: "BAD_REQUEST",
      httpStatus: 400,
      app_code: "VALIDATION_ERROR",
      details: { issues: [{ path: "hint_level", message: "`hint_level` is required: one of `1`, `2`, `3`" }] },
    });
  });

  it("when session_id is sent as sesion_id, the message suggests session_id and the issues say it is required", async () => {
    const input = { sesion_id: SESSION, problem_id: "two-sum", hint_level: 1 };
    const issues = [
      { path: "session_id", message: "`session_id` is required" },
      { path: "(body)", message: "`sesion_id` is not a field (did you mean `session_id`?)" },
    ];
    const message = "`sesion_id` is not a field (did you mean `session_id`?) (and 1 more)";
    const rest = await http<Envelope>(`${app.url}/v1/tutor/messages`, { method: "POST", headers: { authorization }, json: input });
    expect(rest.status).toBe(400);
    expect(rest.body.error).toEqual({ code: "VALIDATION_ERROR", message, details: { issues } });

    const error = await trpcFailure(createTrpcClient(app.url, token).tutor.createMessage.mutate(input as never));
    expect(error.message).toBe(message);
    expect(error.data).toMatchObject({ app_code: "VALIDATION_ERROR", details: { issues } });
  });

  it("when a query value is not a number, REST says so instead of 'received NaN'", async () => {
    const { status, body } = await http<Envelope>(`${app.url}/v1/sessions?limit=abc`, { headers: { authorization } });
    expect(status).toBe(400);
    expect(body.error.message).toBe('`limit` must be a number, not the text "abc"');
    expect(JSON.stringify(body)).not.toContain("NaN");
  });
});

describe("a body that is not JSON", () => {
  it("when the body has no Content-Type, REST answers 415 UNSUPPORTED_MEDIA_TYPE saying what to send", async () => {
    const { status, body } = await postRaw("/v1/sessions", new TextEncoder().encode('{"subject":"coding"}'), {});
    expect(status).toBe(415);
    expect(body).toEqual({
      error: { code: "UNSUPPORTED_MEDIA_TYPE", message: `The request has no Content-Type: ${HOW_TO_SEND_JSON}`, details: { content_type: null } },
    });
  });

  it("when the body is text/plain, REST and tRPC answer 415 UNSUPPORTED_MEDIA_TYPE in the same words", async () => {
    const message = `Content-Type \`text/plain\` is not accepted: ${HOW_TO_SEND_JSON}`;
    const rest = await postRaw("/v1/sessions", '{"subject":"coding"}', { "content-type": "text/plain; charset=utf-8" });
    expect(rest.status).toBe(415);
    expect(rest.body).toEqual({ error: { code: "UNSUPPORTED_MEDIA_TYPE", message, details: { content_type: "text/plain; charset=utf-8" } } });

    const trpc = await postRaw("/trpc/sessions.create", '{"json":{"subject":"coding"}}', { "content-type": "text/plain" });
    expect(trpc.status).toBe(415);
    expect((trpc.body as TrpcError).error.json).toMatchObject({
      message,
      data: { code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415, app_code: "UNSUPPORTED_MEDIA_TYPE", details: { content_type: "text/plain" } },
    });
    const missing = await postRaw("/trpc/sessions.create", new TextEncoder().encode("{}"), {});
    expect((missing.body as TrpcError).error.json.message).toBe(`The request has no Content-Type: ${HOW_TO_SEND_JSON}`);
  });

  it("when a POST has no body at all, it is no 415 whatever the Content-Type: the input says what is missing", async () => {
    for (const headers of [{ "content-type": "application/json" }, {}] as Record<string, string>[]) {
      const { status, body } = await http<Envelope>(`${app.url}/v1/sessions`, { method: "POST", headers: { authorization, ...headers } });
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringContaining("`subject` is required") });
    }
  });

  it("when the Content-Encoding is unknown, it is a 415 UNSUPPORTED_MEDIA_TYPE naming it", async () => {
    const { status, body } = await postRaw("/v1/sessions", "{}", { "content-type": "application/json", "content-encoding": "x-unknown" });
    expect(status).toBe(415);
    expect((body as Envelope).error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", message: expect.stringContaining("`x-unknown` is not supported") });
  });

  it("the OpenAPI document lists UNSUPPORTED_MEDIA_TYPE among the envelope's codes and documents a 415", async () => {
    const { body } = await http<{ components: { schemas: Record<string, unknown> }; paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(
      `${app.url}/openapi.json`,
    );
    expect(JSON.stringify(body.components.schemas.ErrorEnvelope)).toContain('"UNSUPPORTED_MEDIA_TYPE"');
    expect(body.paths["/v1/sessions"]!.post!.responses["415"]).toBeDefined();
  });
});

describe("JSON that does not parse", () => {
  const broken = '{"subject": "coding",\n "mode": }';
  const where = { position: 31, line: 2, column: 10 };
  const message = "Request body is not valid JSON: expected a value, found `}` at line 2, column 10 (position 31)";

  it("REST answers 400 with the line, column and position in the message and details", async () => {
    const { status, body } = await postRaw("/v1/sessions", broken);
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: "VALIDATION_ERROR", message, details: { ...where, issues: [] } } });
  });

  it("tRPC POST answers 400 in tRPC's error shape with the same facts, batched or not", async () => {
    const trpcBody = `{"json": ${broken}}`;
    const single = await postRaw("/trpc/sessions.create", trpcBody);
    expect(single.status).toBe(400);
    expect((single.body as TrpcError).error.json).toMatchObject({
      message: "Request body is not valid JSON: expected a value, found `}` at line 2, column 10 (position 40)",
      data: { httpStatus: 400, app_code: "VALIDATION_ERROR", details: { position: 40, line: 2, column: 10 } },
    });
    const batch = await postRaw("/trpc/sessions.create,submissions.create?batch=1", `{"0": ${trpcBody}}`);
    expect(batch.status).toBe(400);
    const calls = batch.body as TrpcError[];
    expect(calls.map((call) => call.error.json.data.details.position)).toEqual([46, 46]);
  });

  it("a tRPC query's `?input=` that does not parse says where, in tRPC's error shape", async () => {
    const { status, body } = await http<TrpcError>(`${app.url}/trpc/tracks.list?input=${encodeURIComponent('{"json":{"subject":}}')}`, {
      headers: { authorization },
    });
    expect(status).toBe(400);
    expect(body.error.json).toMatchObject({
      message: "The `input` query parameter is not valid JSON: expected a value, found `}` at line 1, column 20 (position 19)",
      data: { app_code: "VALIDATION_ERROR", details: { position: 19, line: 1, column: 20 } },
    });
  });

  it("a tRPC client reads a body refused before tRPC as a TRPCClientError with its message and §5 code", async () => {
    const client = createTrpcClient(app.url, token);
    const error = await trpcFailure(client.sessions.create.mutate({ subject: "coding", track_id: "x".repeat(300 * 1024) }));
    expect(error.message).toBe("Request body is larger than the 256 KiB limit");
    expect(error.data).toMatchObject({ httpStatus: 413, app_code: "PAYLOAD_TOO_LARGE" });
  });
});
