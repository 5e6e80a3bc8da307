import { eq } from "drizzle-orm";
import type { EventSourceMessage } from "eventsource-parser";
import { EventSourceParserStream } from "eventsource-parser/stream";
import { sessions, tutorTurns } from "../../../server/src/db/schema/index.js";
import { http, type TestApp } from "../../support/test-app.js";

/** A seeded coding problem with three authored hints. */
export const PROBLEM_ID = "running-sum";
/** A seeded math problem; its answer is `12*x^2 - 2`. */
export const MATH_PROBLEM_ID = "differentiate-polynomial";

/** An active session of that user on that problem, written directly (the sessions API is not under test here). */
export async function createSession(
  app: TestApp,
  userId: string,
  options: { problemId?: string; subject?: "coding" | "math"; status?: "active" | "completed" | "abandoned" } = {},
): Promise<string> {
  const [row] = await app.db.handle.db
    .insert(sessions)
    .values({ userId, subject: options.subject ?? "coding", mode: "practice", problemId: options.problemId ?? PROBLEM_ID, status: options.status ?? "active" })
    .returning({ id: sessions.id });
  return row!.id;
}

export async function sessionOf(app: TestApp, id: string) {
  const [row] = await app.db.handle.db.select().from(sessions).where(eq(sessions.id, id));
  return row!;
}

export async function turnOf(app: TestApp, id: string) {
  const [row] = await app.db.handle.db.select().from(tutorTurns).where(eq(tutorTurns.id, id));
  return row;
}

export interface Created {
  stream_url: string;
  token: string;
  turn_id: string;
}

/** The URL of a created turn's stream on this app (stream_url names the configured public base). */
export const streamUrlOn = (app: TestApp, created: Created) => `${app.url}/v1/tutor/stream?token=${created.token}`;

/** `POST /v1/tutor/messages` as that user. */
export async function askForHint(app: TestApp, userId: string, body: Record<string, unknown>) {
  return http<Created & { error: { code: string; message: string; details: Record<string, unknown> } }>(`${app.url}/v1/tutor/messages`, {
    method: "POST",
    headers: await app.authFor(userId),
    json: body,
  });
}

/** A session on the problem plus a created turn; fails the test unless 202. */
export async function startTurn(app: TestApp, userId: string, extra: Record<string, unknown> = {}): Promise<Created & { sessionId: string }> {
  const problemId = typeof extra.problem_id === "string" ? extra.problem_id : PROBLEM_ID;
  const sessionId = await createSession(app, userId, { problemId, subject: problemId === PROBLEM_ID ? "coding" : "math" });
  const created = await askForHint(app, userId, { session_id: sessionId, problem_id: problemId, hint_level: 1, ...extra });
  if (created.status !== 202) throw new Error(`expected 202, got ${created.status}: ${JSON.stringify(created.body)}`);
  return { ...created.body, sessionId };
}

export interface ReceivedEvent {
  id: string | undefined;
  event: string;
  data: any;
}

/**
 * Opens an SSE URL with fetch and collects events until `message.end` / `error`, or until
 * `stopAfter` events (then the connection is dropped, as a client that goes away).
 */
export async function collectSse(
  url: string,
  options: { headers?: Record<string, string>; stopAfter?: number; skipPings?: boolean; onEvent?: (event: ReceivedEvent) => void } = {},
): Promise<{ status: number; contentType: string | null; events: ReceivedEvent[]; body?: unknown }> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: { accept: "text/event-stream", ...options.headers }, signal: controller.signal });
  const contentType = response.headers.get("content-type");
  if (!contentType?.startsWith("text/event-stream")) return { status: response.status, contentType, events: [], body: await response.json() };
  const events: ReceivedEvent[] = [];
  let lastEventId: string | undefined;
  try {
    // Node's web streams are async iterable; the DOM typings do not say so.
    const messages = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
    for await (const message of messages as unknown as AsyncIterable<EventSourceMessage>) {
      if (options.skipPings !== false && message.event === "ping") continue;
      // The id a reconnect would send: like an EventSource's lastEventId, it stays set until another comes.
      lastEventId = message.id ?? lastEventId;
      const received = { id: lastEventId, event: message.event ?? "message", data: JSON.parse(message.data) };
      events.push(received);
      options.onEvent?.(received);
      if (message.event === "message.end" || message.event === "error") break;
      if (options.stopAfter !== undefined && events.length >= options.stopAfter) break;
    }
  } finally {
    controller.abort();
  }
  return { status: response.status, contentType, events };
}

/** The markdown a list of events carries. */
export const textOf = (events: ReceivedEvent[]) =>
  events
    .filter((event) => event.event === "message.delta")
    .map((event) => event.data.content as string)
    .join("");

/** Whether event ids strictly increase: integers in-process, `ms-seq` Redis stream ids otherwise. */
export function idsIncrease(ids: string[]): boolean {
  const parts = (id: string) => id.split("-").map((part) => BigInt(part));
  const after = (a: string, b: string) => {
    const [a1 = 0n, a2 = 0n] = parts(a);
    const [b1 = 0n, b2 = 0n] = parts(b);
    return a1 > b1 || (a1 === b1 && a2 > b2);
  };
  return ids.every((id, index) => index === 0 || after(id, ids[index - 1]!));
}
