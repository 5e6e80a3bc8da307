import { z } from "zod";
import type { Tutor, TutorChunk, TutorRequest } from "../../ports/tutor.js";
import { tutorApiContext } from "./prompt.js";
import { fetchUpstream, neighbourHeaders, parseJson, upstreamError, upstreamEvents, type Upstream } from "./upstream.js";

const createdSchema = z.object({ token: z.string().min(1).max(2048) });
const deltaSchema = z.object({ content: z.string() });
const endSchema = z.object({ finish_reason: z.string().nullish(), tokens: z.number().int().nullish() });
const errorSchema = z.object({ code: z.string().max(64).nullish() }).passthrough();

export interface TutorApiOptions {
  baseUrl: string;
  serviceToken?: string;
}

const UPSTREAM: Upstream = { service: "Tutor API", serviceId: "tutor_api" };

/**
 * The Tutor API neighbour (§9): `POST /turns {context, instruction, stream: true}` → `{token}`,
 * then its `GET /turns/{token}/stream` SSE is relayed. Its `message.start` and pings are
 * dropped (the CO emits its own start); deltas and the end pass through.
 */
export class TutorApiTutor implements Tutor {
  readonly provider = "tutor-api";
  private readonly base: string;

  constructor(private readonly options: TutorApiOptions) {
    this.base = options.baseUrl.replace(/\/+$/, "");
  }

  async *generate(request: TutorRequest, signal: AbortSignal): AsyncGenerator<TutorChunk> {
    const headers = neighbourHeaders(request.requestId, this.options.serviceToken);
    const created = await fetchUpstream(UPSTREAM, `${this.base}/turns`, {
      method: "POST",
      signal,
      headers: { ...headers, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ context: tutorApiContext(request), instruction: request.instruction, stream: true }),
    });
    const turn = createdSchema.safeParse(parseJson(UPSTREAM, await created.text()));
    if (!turn.success) throw upstreamError(UPSTREAM, "returned an unexpected response");

    const stream = await fetchUpstream(UPSTREAM, `${this.base}/turns/${encodeURIComponent(turn.data.token)}/stream`, {
      method: "GET",
      signal,
      headers: { ...headers, Accept: "text/event-stream" },
    });
    for await (const message of upstreamEvents(UPSTREAM, stream, signal)) {
      if (!message.comment && message.event === "message.delta") {
        const delta = deltaSchema.safeParse(parseJson(UPSTREAM, message.data));
        if (!delta.success) throw upstreamError(UPSTREAM, "returned an unexpected response");
        yield delta.data.content ? { type: "delta", content: delta.data.content } : { type: "alive" };
      } else if (!message.comment && message.event === "message.end") {
        const end = endSchema.safeParse(parseJson(UPSTREAM, message.data));
        if (!end.success) throw upstreamError(UPSTREAM, "returned an unexpected response");
        yield { type: "end", finishReason: end.data.finish_reason ?? "stop", tokens: end.data.tokens ?? null };
        return;
      } else if (!message.comment && message.event === "error") {
        const error = errorSchema.safeParse(parseJson(UPSTREAM, message.data));
        // Its message may carry internals of the neighbour: only the code is passed on.
        throw upstreamError(UPSTREAM, "reported an error mid-stream", error.success && error.data.code ? { upstream_code: error.data.code } : {});
      } else {
        // Its start, pings and comments: nothing to relay, but the neighbour is alive.
        yield { type: "alive" };
      }
    }
    throw upstreamError(UPSTREAM, "ended the stream before finishing");
  }
}
