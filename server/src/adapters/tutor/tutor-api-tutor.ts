import { z } from "zod";
import type { Tutor, TutorChunk, TutorRequest } from "../../ports/tutor.js";
import { createNeighbourClient, type NeighbourClient } from "../http/neighbour-client.js";
import { neighbourAt, parseAs, upstreamError, type Neighbour, type NeighbourEndpoint } from "../http/neighbour.js";
import { neighbourEvents } from "../http/neighbour-stream.js";
import { tutorApiContext } from "./prompt.js";

const createdSchema = z.object({ token: z.string().min(1).max(2048) });
const deltaSchema = z.object({ content: z.string() });
const endSchema = z.object({ finish_reason: z.string().nullish(), tokens: z.number().int().nullish() });
const errorSchema = z.object({ code: z.string().max(64).nullish() }).passthrough();

/** No `timeoutMs`: a turn's waits are timed by its runner, through the signal of `generate`. */
export type TutorApiOptions = Omit<NeighbourEndpoint, "timeoutMs">;

/**
 * The Tutor API neighbour (§9): `POST /turns {context, instruction, stream: true}` → `{token}`,
 * then its `GET /turns/{token}/stream` SSE is relayed. Its `message.start` and pings are
 * dropped (the CO emits its own start); deltas and the end pass through.
 */
export class TutorApiTutor implements Tutor {
  readonly provider = "tutor-api";
  private readonly neighbour: Neighbour;
  private readonly client: NeighbourClient;

  constructor(options: TutorApiOptions) {
    this.neighbour = neighbourAt("Tutor API", "tutor_api", options);
    this.client = createNeighbourClient(this.neighbour);
  }

  async *generate(request: TutorRequest, signal: AbortSignal): AsyncGenerator<TutorChunk> {
    const body = { context: tutorApiContext(request), instruction: request.instruction, stream: true };
    const { token } = await this.client.post("/turns", body, createdSchema, { signal });
    const path = `/turns/${encodeURIComponent(token)}/stream`;
    for await (const message of neighbourEvents(this.neighbour, { method: "GET", path }, signal)) {
      if (!message.comment && message.event === "message.delta") {
        const delta = parseAs(this.neighbour, message.data, deltaSchema);
        yield delta.content ? { type: "delta", content: delta.content } : { type: "alive" };
      } else if (!message.comment && message.event === "message.end") {
        const end = parseAs(this.neighbour, message.data, endSchema);
        yield { type: "end", finishReason: end.finish_reason ?? "stop", tokens: end.tokens ?? null };
        return;
      } else if (!message.comment && message.event === "error") {
        // Its message may carry internals of the neighbour: only the code is passed on.
        const reported = errorSchema.safeParse(parseAs(this.neighbour, message.data, z.unknown()));
        throw upstreamError(this.neighbour, "reported an error mid-stream", reported.success && reported.data.code ? { upstream_code: reported.data.code } : {});
      } else {
        // Its start, pings and comments: nothing to relay, but the neighbour is alive.
        yield { type: "alive" };
      }
    }
    throw upstreamError(this.neighbour, "ended the stream before finishing");
  }
}
