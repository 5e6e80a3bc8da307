import type { RequestHandler } from "express";
import type { AppDeps } from "../app-deps.js";
import { clientIpOf } from "../auth/request-gate.js";
import type { StreamGrant } from "../auth/stream-token.js";
import { describeError } from "../errors/describe-error.js";
import type { TutorStreamItem } from "../services/tutor.service.js";
import { sendError } from "./error-envelope.js";
import { requestLog } from "./request-context.js";

export const TUTOR_STREAM_PATH = "/v1/tutor/stream";

/** One SSE frame. Local-only events carry no `id:`, so the client's Last-Event-ID stays a real event. */
function frameOf(item: TutorStreamItem): string {
  if (item.kind === "idle") return "event: ping\ndata: {}\n\n";
  const id = item.resumable ? `id: ${item.id}\n` : "";
  return `${id}event: ${item.event.type}\ndata: ${JSON.stringify(item.event.data)}\n\n`;
}

/**
 * `GET /v1/tutor/stream?token=`: a turn's events as Server-Sent Events, for a browser's
 * EventSource (which cannot send an Authorization header, hence the stream token).
 * `Last-Event-ID` (or `?lastEventId=`) resumes after that event; a `ping` goes out
 * while nothing happens; a reconnect after the closing event gets 204 No Content. Not JSON, so it lives beside the REST adapter, over the same service.
 */
export function tutorStreamRoute(deps: AppDeps, options: { pingIntervalMs?: number } = {}): RequestHandler {
  const tutor = deps.services.tutor;
  return async (req, res) => {
    const log = requestLog(res) ?? deps.logger;
    const token = typeof req.query.token === "string" ? req.query.token : undefined;
    let grant: StreamGrant | undefined;
    let authError: unknown;
    try {
      grant = await tutor.verifyStreamToken(token);
    } catch (error) {
      authError = error;
    }
    try {
      // Counted like every procedure call: per user when the token verifies, per client IP otherwise.
      const user = grant ? { id: grant.userId } : null;
      await deps.gate.count({ user, ip: clientIpOf(req) }, (name, value) => res.setHeader(name, value));
    } catch (error) {
      return sendError(res, describeError(error));
    }
    if (!grant) return sendError(res, describeError(authError));

    const queryId = typeof req.query.lastEventId === "string" ? req.query.lastEventId : undefined;
    const lastEventId = req.header("last-event-id") || queryId || null;
    const disconnected = new AbortController();
    res.on("close", () => disconnected.abort());

    let items: AsyncIterable<TutorStreamItem> | null;
    try {
      items = await tutor.openStream(grant.userId, grant.turnId, lastEventId, disconnected.signal, { idleMs: options.pingIntervalMs });
    } catch (error) {
      const described = describeError(error);
      if (described.code === "INTERNAL") log.error({ err: error }, "tutor stream could not open");
      return sendError(res, described);
    }
    // The turn is over and the client has every event: 204 makes an EventSource stop reconnecting.
    if (items === null) return void res.status(204).end();

    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // Proxies such as nginx would otherwise buffer the stream.
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 2000\n\n");
    try {
      for await (const item of items) {
        if (res.writableEnded || disconnected.signal.aborted) break;
        res.write(frameOf(item));
      }
    } catch (error) {
      // A stream bus that lost Redis says UNAVAILABLE; anything else is INTERNAL, and logged.
      const described = describeError(error);
      if (described.code === "INTERNAL") log.error({ err: error }, "tutor stream failed");
      if (!res.writableEnded) {
        const message = described.code === "INTERNAL" ? "The stream failed; reconnect with Last-Event-ID" : `${described.message}; reconnect with Last-Event-ID`;
        res.write(`event: error\ndata: ${JSON.stringify({ code: described.code, message })}\n\n`);
      }
    }
    res.end();
  };
}
