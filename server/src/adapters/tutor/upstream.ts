import { randomUUID } from "node:crypto";
import { AppError } from "../../errors/app-error.js";
import { readSse, type SseMessage } from "./sse-reader.js";

/**
 * Streaming calls to a tutor neighbour with the §9 failure mapping: no answer or a non-2xx
 * status → UPSTREAM_ERROR. Messages never carry bodies, URLs or keys. Deadlines are the
 * caller's (the turn's time-to-first-byte), through `signal`.
 */
export interface Upstream {
  /** How the neighbour is named in error messages, e.g. "Tutor API". */
  service: string;
  /** `details.service`, e.g. "tutor_api". */
  serviceId: string;
}

export const upstreamError = (upstream: Upstream, reason: string, extra: Record<string, unknown> = {}, cause?: unknown) =>
  new AppError("UPSTREAM_ERROR", `${upstream.service} ${reason}`, { service: upstream.serviceId, ...extra }, cause === undefined ? undefined : { cause });

/** §9 headers of every neighbour call. */
export function neighbourHeaders(requestId: string | undefined, bearer: string | undefined): Record<string, string> {
  return {
    "X-Service": "curriculum-orchestrator",
    "X-Request-ID": requestId && /^[\x21-\x7E]{1,128}$/.test(requestId) ? requestId : randomUUID(),
    ...(bearer ? { Authorization: `Bearer ${bearer}` } : {}),
  };
}

/** fetch that resolves only a 2xx response; an abort rejects with the signal's reason. */
export async function fetchUpstream(upstream: Upstream, url: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (init.signal.aborted) throw init.signal.reason;
    throw upstreamError(upstream, "failed (no response)", {}, error);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw upstreamError(upstream, `failed (status ${response.status})`, { upstream_status: response.status });
  }
  return response;
}

/**
 * The events of an SSE response, comment lines included (keep-alives). UPSTREAM_ERROR when the neighbour answered something
 * else or the connection broke off mid-stream; an abort rejects with the signal's reason.
 */
export async function* upstreamEvents(upstream: Upstream, response: Response, signal: AbortSignal): AsyncGenerator<SseMessage> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("text/event-stream") || !response.body) {
    await response.body?.cancel().catch(() => {});
    throw upstreamError(upstream, "did not answer with an event stream");
  }
  const events = readSse(response.body, { comments: true })[Symbol.asyncIterator]();
  try {
    for (;;) {
      let next: IteratorResult<SseMessage>;
      try {
        next = await events.next();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw upstreamError(upstream, "broke off the stream", {}, error);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await events.return?.(undefined);
  }
}

/** Parses one JSON payload of the neighbour, or UPSTREAM_ERROR (the parser's message quotes the body: kept out). */
export function parseJson(upstream: Upstream, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw upstreamError(upstream, "returned an unexpected response");
  }
}
