import { z } from "zod";
import type { Tutor, TutorChunk, TutorRequest } from "../../ports/tutor.js";
import type { RequestScope } from "../../request-scope.js";
import { parseAs, upstreamError, type Neighbour } from "../http/neighbour.js";
import { neighbourEvents } from "../http/neighbour-stream.js";
import { chatMessages } from "./prompt.js";

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
  requestScope?: RequestScope;
}

/** A hint is a few paragraphs; the bound keeps a runaway answer from streaming without end. */
const DEFAULT_MAX_TOKENS = 1024;

/**
 * Any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, LM Studio): `POST /chat/completions`
 * with `stream: true`; each `choices[0].delta.content` becomes a delta, `data: [DONE]` ends
 * the turn, and `usage.completion_tokens` (when sent) becomes `tokens`.
 */
export class OpenAiTutor implements Tutor {
  readonly provider: string;
  private readonly neighbour: Neighbour;

  constructor(private readonly options: OpenAiTutorOptions) {
    this.provider = `openai:${options.model}`;
    const { baseUrl, apiKey, requestScope } = options;
    this.neighbour = { service: "OpenAI-compatible tutor", serviceId: "openai", baseUrl, bearer: apiKey, requestScope };
  }

  async *generate(request: TutorRequest, signal: AbortSignal): AsyncGenerator<TutorChunk> {
    const body = {
      model: this.options.model,
      stream: true,
      max_tokens: this.options.maxTokens ?? DEFAULT_MAX_TOKENS,
      stream_options: { include_usage: true },
      messages: chatMessages(request),
    };
    let finishReason: string | null = null;
    let tokens: number | null = null;
    for await (const message of neighbourEvents(this.neighbour, { method: "POST", path: "/chat/completions", body }, signal)) {
      if (message.comment) {
        yield { type: "alive" };
        continue;
      }
      if (message.data.trim() === "[DONE]") {
        yield { type: "end", finishReason: finishReason ?? "stop", tokens };
        return;
      }
      const chunk = parseAs(this.neighbour, message.data, chunkSchema);
      if (chunk.error !== undefined && chunk.error !== null) throw upstreamError(this.neighbour, "reported an error mid-stream");
      const choice = chunk.choices?.[0];
      // Role-only, empty and usage chunks still show the model is working.
      yield choice?.delta?.content ? { type: "delta", content: choice.delta.content } : { type: "alive" };
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage?.completion_tokens != null) tokens = chunk.usage.completion_tokens;
    }
    // Some servers close without [DONE]: a finish_reason still means the answer is whole.
    if (finishReason) {
      yield { type: "end", finishReason, tokens };
      return;
    }
    throw upstreamError(this.neighbour, "ended the stream before finishing");
  }
}
