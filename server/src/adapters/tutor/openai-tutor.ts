import { z } from "zod";
import type { Tutor, TutorChunk, TutorRequest } from "../../ports/tutor.js";
import { chatMessages } from "./prompt.js";
import { fetchUpstream, neighbourHeaders, parseJson, upstreamError, upstreamEvents, type Upstream } from "./upstream.js";

/** The fields of a streamed chat-completion chunk this adapter reads; anything else is ignored. */
const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: z.object({ completion_tokens: z.number().int().nullish() }).nullish(),
  error: z.unknown().optional(),
});

export interface OpenAiTutorOptions {
  /** e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1` (Ollama). */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** Upper bound of a hint's length in tokens (`max_tokens`), 1024 unless set. */
  maxTokens?: number;
}

/** A hint is a few paragraphs; the bound keeps a runaway answer from streaming without end. */
const DEFAULT_MAX_TOKENS = 1024;

const UPSTREAM: Upstream = { service: "OpenAI-compatible tutor", serviceId: "openai" };

/**
 * Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio): `POST /chat/completions`
 * with `stream: true`; each `choices[0].delta.content` becomes a delta, `data: [DONE]` ends
 * the turn, and `usage.completion_tokens` (when sent) becomes `tokens`.
 */
export class OpenAiTutor implements Tutor {
  readonly provider: string;
  private readonly url: string;

  constructor(private readonly options: OpenAiTutorOptions) {
    this.provider = `openai:${options.model}`;
    this.url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  }

  async *generate(request: TutorRequest, signal: AbortSignal): AsyncGenerator<TutorChunk> {
    const response = await fetchUpstream(UPSTREAM, this.url, {
      method: "POST",
      signal,
      headers: {
        ...neighbourHeaders(request.requestId, this.options.apiKey),
        "Content-Type": "application/json",
        Accept: "text/event-stream",
      },
      body: JSON.stringify({
        model: this.options.model,
        stream: true,
        max_tokens: this.options.maxTokens ?? DEFAULT_MAX_TOKENS,
        stream_options: { include_usage: true },
        messages: chatMessages(request),
      }),
    });
    let finishReason: string | null = null;
    let tokens: number | null = null;
    for await (const message of upstreamEvents(UPSTREAM, response, signal)) {
      if (message.comment) {
        yield { type: "alive" };
        continue;
      }
      if (message.data.trim() === "[DONE]") {
        yield { type: "end", finishReason: finishReason ?? "stop", tokens };
        return;
      }
      const parsed = chunkSchema.safeParse(parseJson(UPSTREAM, message.data));
      if (!parsed.success) throw upstreamError(UPSTREAM, "returned an unexpected response");
      if (parsed.data.error !== undefined && parsed.data.error !== null) throw upstreamError(UPSTREAM, "reported an error mid-stream");
      const choice = parsed.data.choices?.[0];
      // Role-only, empty and usage chunks still show the model is working.
      yield choice?.delta?.content ? { type: "delta", content: choice.delta.content } : { type: "alive" };
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (parsed.data.usage?.completion_tokens != null) tokens = parsed.data.usage.completion_tokens;
    }
    // Some servers close without [DONE]: a finish_reason still means the answer is whole.
    if (finishReason) {
      yield { type: "end", finishReason, tokens };
      return;
    }
    throw upstreamError(UPSTREAM, "ended the stream before finishing");
  }
}
