import { randomUUID } from "node:crypto";
import { isTerminalTutorEvent, type CreateTutorMessageInput, type TutorEvent, type TutorMessageCreated } from "@co/shared";
import type { Logger } from "pino";
import type { StreamGrant, StreamTokens } from "../auth/stream-token.js";
import type { DbOrTx } from "../db/database.js";
import { AppError } from "../errors/app-error.js";
import type { Clock } from "../ports/clock.js";
import type { ProblemBank } from "../ports/problem-bank.js";
import type { StreamBus } from "../ports/stream-bus.js";
import type { StreamSlots } from "../ports/stream-slots.js";
import type { Tutor } from "../ports/tutor.js";
import type { SessionsRepository } from "../repositories/sessions.repository.js";
import type { TutorTurnRow, TutorTurnsRepository } from "../repositories/tutor-turns.repository.js";
import { withIdleTicks } from "./tutor/idle-ticks.js";
import { evaluationFromRequest, evaluationFromStored, HINT_INSTRUCTIONS, toTutorProblem } from "./tutor/turn-context.js";
import { TurnRunner } from "./tutor/turn-runner.js";

/**
 * Counts a hint against a study task inside the turn's transaction; throws `AppError`
 * NOT_FOUND for a task that is not the caller's (which rolls the turn back too).
 */
export interface HintRecorder {
  recordHintRequested(tx: DbOrTx, userId: string, taskId: string, hintLevel: number, turnId: string): Promise<void>;
}

export interface TutorServiceDeps {
  sessions: SessionsRepository;
  turns: TutorTurnsRepository;
  problemBank: ProblemBank;
  tutor: Tutor;
  bus: StreamBus;
  slots: StreamSlots;
  tokens: StreamTokens;
  hintRecorder: HintRecorder;
  /** Runs writes in one database transaction. */
  transaction: <T>(work: (tx: DbOrTx) => Promise<T>) => Promise<T>;
  clock: Clock;
  logger: Logger;
  settings: {
    /** Open streams per user (`CO_MAX_CONCURRENT_SSE`). */
    maxStreams: number;
    /** Provider time to first byte, and between chunks (`CO_TUTOR_TIMEOUT_MS`). */
    timeoutMs: number;
    /** Base of `stream_url` (`CO_PUBLIC_BASE_URL`). */
    publicBaseUrl: string;
    /** How often a running turn renews its slot lease (default every minute, well inside the TTL). */
    slotRenewMs?: number;
  };
}

/**
 * One event of a turn as a reader gets it. `resumable: false` marks an event that exists
 * only on this connection (a local shutdown notice): its id is the resume point, not a new event.
 */
export type TutorStreamItem = { kind: "event"; id: string; event: TutorEvent; resumable: boolean } | { kind: "idle" };

/** A slot lease lapses after this long unless renewed (§8.6: a crashed instance leaks nothing). */
export const STREAM_SLOT_TTL_MS = 5 * 60_000;
const DEFAULT_IDLE_MS = 15_000;
const READER_SHUTDOWN_MESSAGE = "The server is shutting down; reconnect with Last-Event-ID to resume";
const EXPIRED_MESSAGE = "Events of this turn before the resume point have expired; ask for the hint again";
const LOST_END_MESSAGE = "The tutor turn ended without its closing event; ask for the hint again";

const streamOf = (turnId: string) => `tutor:${turnId}`;

/**
 * The tutor (§8.6): a turn is checked, counted against the user's stream slots, recorded,
 * and generated at once into the stream bus; readers on any instance replay and follow it.
 */
export class TutorService {
  private readonly runner: TurnRunner;
  /** Readers served by this instance: their turn, and when each has finished. */
  private readonly readers = new Map<AbortController, { turnId: string; finished: Promise<void> }>();
  private closing = false;

  constructor(private readonly deps: TutorServiceDeps) {
    this.runner = new TurnRunner({
      tutor: deps.tutor,
      bus: deps.bus,
      slots: deps.slots,
      turns: deps.turns,
      clock: deps.clock,
      logger: deps.logger,
      timeoutMs: deps.settings.timeoutMs,
      slotTtlMs: STREAM_SLOT_TTL_MS,
      leaseRenewMs: deps.settings.slotRenewMs ?? 60_000,
      maxStreams: deps.settings.maxStreams,
    });
  }

  async createMessage(userId: string, input: CreateTutorMessageInput): Promise<TutorMessageCreated> {
    this.refuseWhileClosing();
    const { sessions, turns, slots, bus, settings } = this.deps;
    const session = await sessions.findOwned(userId, input.session_id);
    if (!session) throw AppError.notFound("Session");
    if (session.status !== "active") throw AppError.conflict(`Session is ${session.status}, not active`, { status: session.status });
    if (session.problemId !== input.problem_id) {
      throw AppError.conflict("problem_id is not the session's current problem", { current_problem_id: session.problemId });
    }
    const problem = await this.deps.problemBank.getProblem(input.problem_id);
    if (!problem) throw AppError.notFound("Problem");
    const lastEval = input.last_eval
      ? evaluationFromRequest(input.last_eval)
      : evaluationFromStored(await turns.latestEvaluation(userId, session.id, problem.id));

    const turnId = randomUUID();
    const slot = await slots.acquire(userId, turnId, settings.maxStreams, STREAM_SLOT_TTL_MS);
    if (!slot.acquired) {
      throw new AppError("MAX_STREAMS", `At most ${settings.maxStreams} tutor streams may be open at once; wait for one to end`, {
        max_streams: settings.maxStreams,
        active: slot.active,
      });
    }
    const stream = streamOf(turnId);
    let recorded = false;
    let token: string;
    try {
      await this.deps.transaction(async (tx) => {
        // First in the transaction: an unknown task leaves no trace, and a failed turn no counted hint.
        if (input.task_id) await this.deps.hintRecorder.recordHintRequested(tx, userId, input.task_id, input.hint_level, turnId);
        const updated = await sessions.with(tx).updateIfActive(userId, session.id, { lastHintLevel: input.hint_level });
        if (!updated) throw AppError.conflict("Session is no longer active");
        await turns.with(tx).create({
          id: turnId,
          userId,
          sessionId: session.id,
          problemId: problem.id,
          hintLevel: input.hint_level,
          provider: this.deps.tutor.provider,
        });
      });
      recorded = true;
      token = await this.deps.tokens.sign({ userId, turnId });
      await bus.append(stream, { type: "message.start", data: { turn_id: turnId, hint_level: input.hint_level } });
    } catch (error) {
      await slots.release(userId, turnId).catch(() => {});
      if (recorded) await turns.finish(turnId, { status: "failed", finishedAt: this.deps.clock.now() }).catch(() => {});
      throw error;
    }

    this.runner.start({
      userId,
      stream,
      request: {
        turnId,
        problem: toTutorProblem(problem),
        hintLevel: input.hint_level as 1 | 2 | 3,
        instruction: HINT_INSTRUCTIONS[input.hint_level as 1 | 2 | 3],
        lastEval,
        message: input.message ?? null,
      },
    });
    return {
      stream_url: `${settings.publicBaseUrl}/v1/tutor/stream?token=${encodeURIComponent(token)}`,
      token,
      turn_id: turnId,
    };
  }

  /** Checks a stream token (`GET /v1/tutor/stream?token=`). */
  verifyStreamToken(token: string | undefined): Promise<StreamGrant> {
    return this.deps.tokens.verify(token);
  }

  /**
   * The events of one of the caller's turns after `lastEventId` (null: from the start),
   * then live until the turn ends or `signal` aborts. Ownership, the id and the stream's
   * existence are checked here, before the caller commits to a response; the events
   * follow lazily. Idle ticks come every `idleMs` while nothing happens. Resolves null
   * when the turn is over and nothing follows `lastEventId` (a reconnect after its closing
   * event): there is nothing to stream, and a client must not be kept waiting.
   */
  async openStream(
    userId: string,
    turnId: string,
    lastEventId: string | null,
    signal: AbortSignal,
    options: { idleMs?: number } = {},
  ): Promise<AsyncIterable<TutorStreamItem> | null> {
    this.refuseWhileClosing();
    const turn = await this.deps.turns.findOwned(userId, turnId);
    if (!turn) throw AppError.notFound("Tutor turn");
    if (lastEventId !== null && !this.deps.bus.isValidId(lastEventId)) {
      throw AppError.validation("Last-Event-ID is not an event id of this stream", [{ path: "lastEventId", message: "unknown id format" }]);
    }
    if (turn.status !== "streaming") {
      if (!(await this.deps.bus.exists(streamOf(turnId)))) {
        throw new AppError("NOT_FOUND", "Tutor stream not found: its events have expired (the stored turn remains)");
      }
      if (await this.nothingLeft(turnId, lastEventId)) return null;
    }
    return this.follow(turn, lastEventId, signal, options.idleMs ?? DEFAULT_IDLE_MS);
  }

  /**
   * Graceful stop: refuses new turns, ends this instance's generations with
   * `error {code: "SHUTDOWN"}` (stored as cancelled), then tells every remaining reader.
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    // Readers of these turns get the closing SHUTDOWN event from the stream itself.
    const stopped = new Set(await this.runner.stopAll());
    const readers = [...this.readers];
    for (const [reader, { turnId }] of readers) if (!stopped.has(turnId)) reader.abort();
    // Each reader writes its last event and returns; a stuck one must not hold the process.
    const finished = Promise.all(readers.map(([, reader]) => reader.finished));
    await Promise.race([finished, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await this.deps.bus.close();
  }

  private async *follow(turn: TutorTurnRow, lastEventId: string | null, signal: AbortSignal, idleMs: number): AsyncGenerator<TutorStreamItem> {
    const stopped = new AbortController();
    // Ends the bus reader when our consumer stops early without aborting `signal`.
    const finished = new AbortController();
    let settle = () => {};
    this.readers.set(stopped, { turnId: turn.id, finished: new Promise<void>((resolve) => (settle = resolve)) });
    const reading = AbortSignal.any([signal, stopped.signal, finished.signal]);
    let resumeId = lastEventId ?? this.deps.bus.originId;
    // Set once a tick saw the turn finished while its closing event was not yet there.
    let closingOverdue = false;
    try {
      // Resuming across a gap would show a hint with a hole in it: say so instead.
      if (await this.deps.bus.trimmedAfter(streamOf(turn.id), lastEventId)) {
        yield { kind: "event", id: resumeId, event: { type: "error", data: { code: "EVENTS_EXPIRED", message: EXPIRED_MESSAGE } }, resumable: false };
        return;
      }
      const events = this.deps.bus.read(streamOf(turn.id), lastEventId, reading);
      for await (const item of withIdleTicks(events, idleMs)) {
        if (item.kind === "idle") {
          yield item;
          const current = await this.deps.turns.findOwned(turn.userId, turn.id);
          if (current?.status === "streaming") {
            await this.closeIfAbandoned(current);
            continue;
          }
          // Finished elsewhere while we waited: stop once nothing is left to send. The closing
          // event is written just after the turn is stored, so it gets one more tick to arrive.
          if (await this.nothingLeft(turn.id, resumeId)) return;
          if (closingOverdue) {
            yield { kind: "event", id: resumeId, event: { type: "error", data: { code: "UPSTREAM_ERROR", message: LOST_END_MESSAGE } }, resumable: false };
            return;
          }
          closingOverdue = true;
          continue;
        }
        resumeId = item.value.id;
        // Events on the bus were written by this service's generations: they are TutorEvents.
        const event = { type: item.value.type, data: item.value.data } as TutorEvent;
        yield { kind: "event", id: item.value.id, event, resumable: true };
        if (isTerminalTutorEvent(item.value.type)) return;
      }
      if (stopped.signal.aborted && !signal.aborted) {
        yield { kind: "event", id: resumeId, event: { type: "error", data: { code: "SHUTDOWN", message: READER_SHUTDOWN_MESSAGE } }, resumable: false };
      }
    } finally {
      finished.abort();
      this.readers.delete(stopped);
      settle();
    }
  }

  /** Whether the turn's closing event is stored and no event follows `afterId` (null: none was read). */
  private async nothingLeft(turnId: string, afterId: string | null): Promise<boolean> {
    const stream = streamOf(turnId);
    const last = await this.deps.bus.last(stream);
    if (!last || !isTerminalTutorEvent(last.type)) return false;
    return (await this.deps.bus.stored(stream, afterId, 1)).length === 0;
  }

  /**
   * A turn whose generating instance died never gets its closing event. The generating
   * instance renews the turn's slot lease while it runs, so once that lease has lapsed and
   * nobody here is generating the turn, it is closed as failed.
   */
  private async closeIfAbandoned(turn: TutorTurnRow): Promise<void> {
    if (this.runner.isRunning(turn.id)) return;
    try {
      if (await this.deps.slots.isHeld(turn.userId, turn.id)) return;
    } catch {
      return; // unknown is not dead: the next tick asks again
    }
    // Only the reader that actually closes the turn announces it; a finished turn is left alone.
    if (!(await this.deps.turns.finish(turn.id, { status: "failed", finishedAt: this.deps.clock.now() }))) return;
    await this.deps.bus.append(streamOf(turn.id), {
      type: "error",
      data: { code: "UPSTREAM_ERROR", message: "The tutor turn was interrupted; ask for the hint again" },
    });
  }

  private refuseWhileClosing() {
    if (this.closing) throw new AppError("UNAVAILABLE", "The server is shutting down; try again");
  }
}
