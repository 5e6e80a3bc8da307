import { createParser } from "eventsource-parser";
import { exchange, neighbourUrl, startCall, statusError, upstreamError, type Neighbour } from "./neighbour.js";

/** One Server-Sent Event of a neighbour, or a comment line (a common keep-alive). */
export type SseMessage = { comment?: false; event: string; data: string; id?: string } | { comment: true };

export interface StreamCall {
  method: "GET" | "POST";
  path: string;
  /** JSON body of a POST. */
  body?: unknown;
}

/**
 * A neighbour's bound on buffered, undispatched event text: a peer that never ends a line
 * or an event would otherwise grow it without end.
 */
const MAX_EVENT_CHARS = 1 << 20;

/**
 * The events of a neighbour's `text/event-stream` answer, comments included (signs of life),
 * through the neighbour's one deadline. A non-2xx status, another content type, a broken-off
 * or oversized stream → UPSTREAM_ERROR; an abort rejects with the signal's reason. Stopping
 * early releases the connection.
 */
export async function* neighbourEvents(neighbour: Neighbour, call: StreamCall, signal: AbortSignal): AsyncGenerator<SseMessage> {
  const open = startCall(neighbour, signal);
  try {
    const response = await exchange(neighbour, open, { method: call.method, url: neighbourUrl(neighbour, call.path), body: call.body, accept: "text/event-stream" });
    const body = response.body;
    if (!response.ok) {
      await body?.cancel().catch(() => {});
      throw statusError(neighbour, response.status);
    }
    if (!(response.headers.get("content-type") ?? "").includes("text/event-stream") || !body) {
      await body?.cancel().catch(() => {});
      throw upstreamError(neighbour, "did not answer with an event stream");
    }
    yield* messagesOf(neighbour, body, open.interruption);
  } finally {
    open.clear();
  }
}

async function* messagesOf(neighbour: Neighbour, body: ReadableStream<Uint8Array>, interruption: () => unknown): AsyncGenerator<SseMessage> {
  const parsed: SseMessage[] = [];
  let oversized = false;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    onEvent: ({ event, data, id }) => parsed.push({ event: event ?? "message", data, ...(id !== undefined ? { id } : {}) }),
    onComment: () => parsed.push({ comment: true }),
    // Unknown fields and bad `retry` values are ignored, as the SSE spec says.
    onError: (error) => void (error.type === "max-buffer-size-exceeded" && (oversized = true)),
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<Uint8Array>;
      try {
        next = await reader.read();
      } catch (error) {
        throw interruption() ?? upstreamError(neighbour, "broke off the stream", {}, error);
      }
      if (next.done) {
        finished = true;
        return;
      }
      parser.feed(decoder.decode(next.value, { stream: true }));
      if (oversized) throw upstreamError(neighbour, "sent an event larger than the limit");
      yield* parsed.splice(0);
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
