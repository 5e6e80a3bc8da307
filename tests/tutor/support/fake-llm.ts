import type { ServerResponse } from "node:http";
import type { RecordedRequest, RouteHandler } from "../../contract/support/fake-neighbour.js";

/** Writes one SSE frame. */
export function sseFrame(response: ServerResponse, frame: { event?: string; data: string; id?: string }): void {
  const lines = [frame.id !== undefined ? `id: ${frame.id}` : "", frame.event ? `event: ${frame.event}` : "", `data: ${frame.data}`];
  response.write(`${lines.filter(Boolean).join("\n")}\n\n`);
}

export function startEventStream(response: ServerResponse): void {
  response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
  response.flushHeaders();
}

/** Resolves when the client went away (or the test's promise settles). */
const closed = (response: ServerResponse) => new Promise<void>((resolve) => response.on("close", () => resolve()));

export interface ChatScript {
  deltas: string[];
  /** Sent as `usage.completion_tokens` in a final chunk. */
  completionTokens?: number;
  /** After this many deltas, wait for `until` (or the client leaving) before going on. */
  hold?: { after: number; until: Promise<void> };
  /** After this many deltas, cut the connection without finishing. */
  breakAfter?: number;
  /** After this many deltas, send an error payload in the stream. */
  errorAfter?: number;
  /** Before the deltas, `count` messages with no content (role-only, empty, comment, in turn), one every `everyMs`. */
  keepAlive?: { count: number; everyMs: number };
  /** Never answer at all (time-to-first-byte timeout). */
  silent?: boolean;
  /** Answer with this status and a JSON error instead of a stream. */
  status?: number;
}

/** A `POST /chat/completions` handler speaking OpenAI's streaming format. */
export function chatCompletions(script: ChatScript, onRequest?: (request: RecordedRequest) => void): RouteHandler {
  return async (request, response) => {
    onRequest?.(request);
    if (script.silent) return closed(response);
    if (script.status) {
      response.writeHead(script.status, { "Content-Type": "application/json" });
      response.end(JSON.stringify({ error: { message: "model overloaded", type: "server_error" } }));
      return;
    }
    startEventStream(response);
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", model: "test-model", choices: [{ index: 0, delta, finish_reason: finish }] });
    sseFrame(response, { data: chunk({ role: "assistant", content: "" }) });
    for (let i = 0; i < (script.keepAlive?.count ?? 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, script.keepAlive!.everyMs));
      if (response.destroyed) return;
      if (i % 3 === 0) sseFrame(response, { data: chunk({ role: "assistant" }) });
      else if (i % 3 === 1) sseFrame(response, { data: chunk({ content: "" }) });
      else response.write(": keep-alive\n\n");
    }
    for (const [index, content] of script.deltas.entries()) {
      if (script.hold?.after === index) await Promise.race([script.hold.until, closed(response)]);
      if (response.destroyed) return;
      // Ends the connection (after flushing what was written) in the middle of the chunked body.
      if (script.breakAfter === index) return void response.socket?.end();
      if (script.errorAfter === index) {
        sseFrame(response, { data: JSON.stringify({ error: { message: "internal model failure at /srv/model", type: "server_error" } }) });
        return void response.end();
      }
      sseFrame(response, { data: chunk({ content }) });
    }
    sseFrame(response, { data: chunk({}, "stop") });
    if (script.completionTokens !== undefined) {
      sseFrame(response, {
        data: JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 50, completion_tokens: script.completionTokens, total_tokens: 50 + script.completionTokens } }),
      });
    }
    sseFrame(response, { data: "[DONE]" });
    response.end();
  };
}
