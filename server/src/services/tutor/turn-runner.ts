import type { Logger } from "pino";
import { AppError } from "../../errors/app-error.js";
import type { Clock } from "../../ports/clock.js";
import type { StreamBus } from "../../ports/stream-bus.js";
import type { StreamSlots } from "../../ports/stream-slots.js";
import type { Tutor, TutorChunk, TutorRequest } from "../../ports/tutor.js";
import type { TutorTurnsRepository } from "../../repositories/tutor-turns.repository.js";
import { DeltaBuffer } from "./delta-buffer.js";

export interface TurnJob {
  userId: string;
  stream: string;
  request: TutorRequest;
}

/** Why a generation was stopped from outside. */
const SHUTDOWN = Symbol("shutdown");

const SHUTDOWN_MESSAGE = "The server is shutting down; ask for the hint again";

/**
 * Deltas are coalesced: at most one event per interval (plus one per `DELTA_MAX_CHARS`), so a
 * long answer stays far inside the stream bus's length bound and its start is never trimmed.
 */
const DELTA_INTERVAL_MS = 50;
const DELTA_MAX_CHARS = 1024;

/**
 * Runs generations detached from the request that started them: provider chunks go to the
 * stream bus as `message.delta`, then the turn is stored (content, tokens, status), its
 * slot released, and `message.end` or `error` closes the stream. Every wait for the
 * provider is bounded by `timeoutMs` (to the first byte and between any two messages of
 * the provider, content or not). While a generation
 * runs its slot lease is renewed, so turns longer than the lease keep their slot.
 */
export class TurnRunner {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(
    private readonly deps: {
      tutor: Tutor;
      bus: StreamBus;
      slots: StreamSlots;
      turns: TutorTurnsRepository;
      clock: Clock;
      logger: Logger;
      timeoutMs: number;
      /** The lease a slot is taken for, renewed every `leaseRenewMs` while the generation runs. */
      slotTtlMs: number;
      leaseRenewMs: number;
      /** The per-user cap the slot was taken under. */
      maxStreams: number;
    },
  ) {}

  /** Starts the generation; it never rejects (failures end the turn with an `error` event). */
  start(job: TurnJob): void {
    const controller = new AbortController();
    const done = this.run(job, controller)
      .catch((error: unknown) => this.deps.logger.error({ err: error, turn_id: job.request.turnId }, "tutor turn bookkeeping failed"))
      .finally(() => this.running.delete(job.request.turnId));
    this.running.set(job.request.turnId, { controller, done });
  }

  isRunning(turnId: string): boolean {
    return this.running.has(turnId);
  }

  /**
   * Stops every generation of this instance with `error {code: "SHUTDOWN"}`, waits for
   * their bookkeeping, and tells which turns they were.
   */
  async stopAll(): Promise<string[]> {
    const runs = [...this.running];
    for (const [, run] of runs) run.controller.abort(SHUTDOWN);
    await Promise.all(runs.map(([, run]) => run.done));
    return runs.map(([turnId]) => turnId);
  }

  private async run({ userId, stream, request }: TurnJob, controller: AbortController): Promise<void> {
    const { bus, slots, turns, clock, logger } = this.deps;
    const turnId = request.turnId;
    let content = "";
    let end: Extract<TutorChunk, { type: "end" }> | undefined;
    let failure: { code: string; message: string } | undefined;
    const warn = (what: string) => (error: unknown) => logger.warn({ err: error, turn_id: turnId }, what);
    // The lease tells every instance this turn is alive; it lapses within a TTL if this process dies.
    // A renewal still in flight when the turn ends is awaited before the slot is released, so it
    // cannot re-take a slot just given back.
    let renewal: Promise<unknown> = Promise.resolve();
    const lease = setInterval(() => {
      renewal = slots
        .acquire(userId, turnId, this.deps.maxStreams, this.deps.slotTtlMs)
        .then((decision) => decision.acquired || logger.warn({ turn_id: turnId }, "stream slot lease lapsed and could not be renewed"))
        .catch(warn("stream slot lease renewal failed"));
    }, this.deps.leaseRenewMs);
    const deltas = new DeltaBuffer(
      async (text) => void (await bus.append(stream, { type: "message.delta", data: { content: text } })),
      { intervalMs: DELTA_INTERVAL_MS, maxChars: DELTA_MAX_CHARS },
    );
    try {
      const iterator = this.deps.tutor.generate(request, controller.signal)[Symbol.asyncIterator]();
      try {
        while (!end) {
          const step = await this.nextChunk(iterator, controller);
          if (step.done) break;
          // A sign of life only restarts the time-out, which `nextChunk` does for every chunk.
          if (step.value.type === "alive") continue;
          if (step.value.type === "delta") {
            content += step.value.content;
            await deltas.add(step.value.content);
          } else end = step.value;
        }
      } finally {
        void Promise.resolve(iterator.return?.()).catch(() => {});
      }
    } catch (error) {
      failure = this.describe(error, controller.signal);
      if (failure.code !== "SHUTDOWN") logger.warn({ err: error, turn_id: turnId, code: failure.code }, "tutor turn failed");
    } finally {
      clearInterval(lease);
      await renewal;
    }
    // What was generated reaches readers before the closing event, on failure too.
    await deltas.drain().catch((error: unknown) => {
      warn("tutor deltas could not be appended")(error);
      failure ??= this.describe(error, controller.signal);
    });

    const status = failure ? (failure.code === "SHUTDOWN" ? "cancelled" : "failed") : "completed";
    const tokens = end?.tokens ?? null;
    // Stored and released before the closing event, so whoever sees the end sees them done.
    // Each step runs even if the one before failed: readers must always get their closing event.
    await turns.finish(turnId, { status, content, tokens, finishedAt: clock.now() }).catch(warn("tutor turn could not be stored"));
    await slots.release(userId, turnId).catch(warn("stream slot release failed; it lapses with its TTL"));
    await bus
      .append(stream, failure ? { type: "error", data: failure } : { type: "message.end", data: { finish_reason: end?.finishReason ?? "stop", tokens } })
      .catch(warn("closing event could not be appended"));
  }

  /** The provider's next chunk, or a rejection on timeout or abort (the provider is then aborted too). */
  private async nextChunk(iterator: AsyncIterator<TutorChunk>, controller: AbortController): Promise<IteratorResult<TutorChunk>> {
    const { timeoutMs } = this.deps;
    const next = iterator.next();
    next.catch(() => {}); // may settle after we stopped waiting
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const interrupted = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new AppError("UPSTREAM_TIMEOUT", `The tutor did not answer within ${timeoutMs} ms`);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
      onAbort = () => reject(controller.signal.reason);
      controller.signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([next, interrupted]);
    } finally {
      clearTimeout(timer);
      controller.signal.removeEventListener("abort", onAbort!);
    }
  }

  private describe(error: unknown, signal: AbortSignal): { code: string; message: string } {
    if (signal.aborted && signal.reason === SHUTDOWN) return { code: "SHUTDOWN", message: SHUTDOWN_MESSAGE };
    const cause = signal.aborted && signal.reason instanceof AppError ? signal.reason : error;
    if (cause instanceof AppError) return { code: cause.code, message: cause.message };
    return { code: "UPSTREAM_ERROR", message: "The tutor failed while answering" };
  }
}
