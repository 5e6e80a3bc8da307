import { setImmediate as nextTurn } from "node:timers/promises";
import type { Tutor, TutorChunk, TutorRequest } from "../../ports/tutor.js";
import { composeHint, toDeltas } from "./hint-ladder.js";

/** The hint-ladder tutor of embedded mode: no model, no network; `tokens` counts the deltas. */
export class LocalTutor implements Tutor {
  readonly provider = "local";

  async *generate(request: TutorRequest, signal: AbortSignal): AsyncGenerator<TutorChunk> {
    const deltas = toDeltas(composeHint(request));
    for (const content of deltas) {
      // Yield to the event loop between deltas, as a real stream would.
      await nextTurn();
      signal.throwIfAborted();
      yield { type: "delta", content };
    }
    yield { type: "end", finishReason: "stop", tokens: deltas.length };
  }
}
