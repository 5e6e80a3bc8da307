import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LocalProblemBank } from "../../server/src/adapters/problem-bank/local-problem-bank.js";
import { MemoryStreamBus } from "../../server/src/adapters/stream-bus/memory-stream-bus.js";
import { MemoryStreamSlots } from "../../server/src/adapters/stream-bus/memory-stream-slots.js";
import { createStreamTokens } from "../../server/src/auth/stream-token.js";
import { sessions, tutorTurns } from "../../server/src/db/schema/index.js";
import { createLogger } from "../../server/src/logger.js";
import { systemClock, type Clock } from "../../server/src/ports/clock.js";
import type { Tutor, TutorChunk } from "../../server/src/ports/tutor.js";
import { SessionsRepository } from "../../server/src/repositories/sessions.repository.js";
import { TutorTurnsRepository } from "../../server/src/repositories/tutor-turns.repository.js";
import { STREAM_SLOT_TTL_MS, TutorService, type TutorStreamItem } from "../../server/src/services/tutor.service.js";
import { createTestDatabase, type TestDatabase } from "../support/test-infra.js";
import { PROBLEM_ID } from "./support/tutor-fixtures.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.dispose());

/** Answers one delta, then waits until it is aborted. */
const stuckTutor: Tutor = {
  provider: "stuck",
  async *generate(_request, signal): AsyncGenerator<TutorChunk> {
    yield { type: "delta", content: "Start " };
    await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
  },
};

/** A clock the test moves by hand. */
const stubClock = () => {
  let now = Date.now();
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
};

/** Real in-process slots that also record each acquisition (slot id and TTL asked for). */
class RecordingSlots extends MemoryStreamSlots {
  readonly acquisitions: { slotId: string; ttlMs: number }[] = [];
  override acquire(userId: string, slotId: string, max: number, ttlMs: number) {
    this.acquisitions.push({ slotId, ttlMs });
    return super.acquire(userId, slotId, max, ttlMs);
  }
}

interface ServiceOptions {
  tutor?: Tutor;
  bus?: MemoryStreamBus;
  slots?: MemoryStreamSlots;
  clock?: Clock;
  slotRenewMs?: number;
}

/** A service over the test database; pass the same bus and slots to build a second instance. */
function buildService(options: ServiceOptions = {}) {
  const clock = options.clock ?? systemClock;
  const bus = options.bus ?? new MemoryStreamBus();
  const slots = options.slots ?? new MemoryStreamSlots(clock);
  const turns = new TutorTurnsRepository(db.handle.db);
  const service = new TutorService({
    sessions: new SessionsRepository(db.handle.db),
    turns,
    problemBank: new LocalProblemBank(db.handle.db),
    tutor: options.tutor ?? stuckTutor,
    bus,
    slots,
    tokens: createStreamTokens("x".repeat(40)),
    hintRecorder: { recordHintRequested: async () => {} },
    transaction: (work) => db.handle.db.transaction(work),
    clock,
    logger: createLogger("silent"),
    settings: { maxStreams: 1, timeoutMs: 60_000, publicBaseUrl: "http://co.test", slotRenewMs: options.slotRenewMs },
  });
  return { service, bus, slots, turns };
}

async function newSession(userId: string) {
  const [row] = await db.handle.db.insert(sessions).values({ userId, subject: "coding", mode: "practice", problemId: PROBLEM_ID }).returning();
  return row!.id;
}

async function collect(items: AsyncIterable<TutorStreamItem>, until: (item: TutorStreamItem) => boolean = () => false) {
  const seen: TutorStreamItem[] = [];
  for await (const item of items) {
    seen.push(item);
    if (until(item)) break;
  }
  return seen;
}

describe("TutorService", () => {
  it("when the instance generating a turn shuts down, readers get SHUTDOWN from the stream, the turn is cancelled and its slot freed", async () => {
    const { service, slots, turns } = buildService();
    const sessionId = await newSession("svc-shutdown");
    const { turn_id } = await service.createMessage("svc-shutdown", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 });
    const items = (await service.openStream("svc-shutdown", turn_id, null, new AbortController().signal))!;
    const iterator = items[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ kind: "event", event: { type: "message.start" } });
    expect((await iterator.next()).value).toMatchObject({ kind: "event", event: { type: "message.delta", data: { content: "Start " } } });
    // The reader keeps pulling while the service shuts down, as an open connection does.
    const stopping = service.shutdown();
    const rest = [];
    for (let step = await iterator.next(); !step.done; step = await iterator.next()) rest.push(step.value);
    await stopping;
    expect(rest).toEqual([{ kind: "event", id: expect.any(String), resumable: true, event: { type: "error", data: { code: "SHUTDOWN", message: expect.any(String) } } }]);
    expect(await turns.findOwned("svc-shutdown", turn_id)).toMatchObject({ status: "cancelled", content: "Start " });
    expect((await slots.acquire("svc-shutdown", "probe", 1, 1000)).acquired).toBe(true);
    await expect(service.createMessage("svc-shutdown", { session_id: sessionId, problem_id: PROBLEM_ID, hint_level: 1 })).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
  });

  it("takes each turn's stream slot with the 5-minute TTL", async () => {
    const slots = new RecordingSlots(systemClock);
    const { service } = buildService({ slots, tutor: { provider: "quick", async *generate() { yield { type: "end", finishReason: "stop", tokens: 0 }; } } });
    const { turn_id } = await service.createMessage("svc-ttl", { session_id: await newSession("svc-ttl"), problem_id: PROBLEM_ID, hint_level: 1 });
    expect(slots.acquisitions[0]).toEqual({ slotId: turn_id, ttlMs: 300_000 });
    expect(STREAM_SLOT_TTL_MS).toBe(300_000);
    await service.shutdown();
  });

  it("a turn generating for longer than the slot TTL renews its lease: another instance's reader leaves it alone and the cap still holds", async () => {
    const clock = stubClock();
    const bus = new MemoryStreamBus();
    const slots = new RecordingSlots(clock);
    const a = buildService({ bus, slots, clock, slotRenewMs: 5 });
    const b = buildService({ bus, slots, clock });
    const user = "svc-long-turn";
    const { turn_id } = await a.service.createMessage(user, { session_id: await newSession(user), problem_id: PROBLEM_ID, hint_level: 1 });
    // Eight minutes pass, a minute at a time; after each, A renews the lease.
    for (let minute = 0; minute < 8; minute++) {
      const before = slots.acquisitions.length;
      clock.advance(60_000);
      await vi.waitFor(() => expect(slots.acquisitions.length).toBeGreaterThan(before));
    }
    expect(await slots.isHeld(user, turn_id)).toBe(true);
    // B, which does not generate the turn, reads it through several idle ticks.
    const seen = await collect((await b.service.openStream(user, turn_id, null, new AbortController().signal, { idleMs: 10 }))!, (() => {
      let ticks = 0;
      return (item: TutorStreamItem) => item.kind === "idle" && ++ticks === 3;
    })());
    expect(seen.filter((item) => item.kind === "event").map((item) => item.kind === "event" && item.event.type)).toEqual(["message.start", "message.delta"]);
    expect((await a.turns.findOwned(user, turn_id))!.status).toBe("streaming");
    await expect(b.service.createMessage(user, { session_id: await newSession(user), problem_id: PROBLEM_ID, hint_level: 1 })).rejects.toMatchObject({
      code: "MAX_STREAMS",
    });
    await a.service.shutdown();
    await b.service.shutdown();
  });

  it("closes a turn abandoned by a dead instance once its slot lease lapses, not before", async () => {
    const clock = stubClock();
    const { service, bus, slots, turns } = buildService({ clock });
    const sessionId = await newSession("svc-abandoned");
    const [turn] = await db.handle.db
      .insert(tutorTurns)
      .values({ userId: "svc-abandoned", sessionId, problemId: PROBLEM_ID, hintLevel: 1, provider: "local" })
      .returning();
    // The dead instance took the slot and wrote the start, then stopped renewing.
    await slots.acquire("svc-abandoned", turn!.id, 1, STREAM_SLOT_TTL_MS);
    await bus.append(`tutor:${turn!.id}`, { type: "message.start", data: { turn_id: turn!.id, hint_level: 1 } });
    const items = (await service.openStream("svc-abandoned", turn!.id, null, new AbortController().signal, { idleMs: 10 }))!;
    const seen: TutorStreamItem[] = [];
    let ticks = 0;
    for await (const item of items) {
      seen.push(item);
      if (item.kind === "idle" && ++ticks === 3) {
        expect((await turns.findOwned("svc-abandoned", turn!.id))!.status).toBe("streaming");
        clock.advance(STREAM_SLOT_TTL_MS);
      }
    }
    expect(seen.filter((item) => item.kind === "event").map((item) => item.kind === "event" && item.event)).toEqual([
      { type: "message.start", data: { turn_id: turn!.id, hint_level: 1 } },
      { type: "error", data: { code: "UPSTREAM_ERROR", message: expect.stringMatching(/interrupted/) } },
    ]);
    expect((await turns.findOwned("svc-abandoned", turn!.id))!.status).toBe("failed");
  });

  it("when an idle tick finds the turn finished, a reader already past its closing event ends", async () => {
    const { service, bus } = buildService();
    const sessionId = await newSession("svc-finished-idle");
    const [turn] = await db.handle.db
      .insert(tutorTurns)
      .values({ userId: "svc-finished-idle", sessionId, problemId: PROBLEM_ID, hintLevel: 1, provider: "local" })
      .returning();
    await bus.append(`tutor:${turn!.id}`, { type: "message.start", data: { turn_id: turn!.id, hint_level: 1 } });
    const endId = await bus.append(`tutor:${turn!.id}`, { type: "message.end", data: { finish_reason: "stop", tokens: null } });
    // Opened while the turn still looked live; it is stored as finished just after.
    const items = await service.openStream("svc-finished-idle", turn!.id, endId, new AbortController().signal, { idleMs: 10 });
    await db.handle.db.update(tutorTurns).set({ status: "completed" }).where(eq(tutorTurns.id, turn!.id));
    const seen = await collect(items!);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((item) => item.kind === "idle")).toBe(true);
  });

  it("when a turn is finished but its closing event never came, the reader gets an error without a new id", async () => {
    const { service, bus } = buildService();
    const sessionId = await newSession("svc-lost-end");
    const [turn] = await db.handle.db
      .insert(tutorTurns)
      .values({ userId: "svc-lost-end", sessionId, problemId: PROBLEM_ID, hintLevel: 1, provider: "local", status: "failed" })
      .returning();
    const startId = await bus.append(`tutor:${turn!.id}`, { type: "message.start", data: { turn_id: turn!.id, hint_level: 1 } });
    const seen = await collect((await service.openStream("svc-lost-end", turn!.id, null, new AbortController().signal, { idleMs: 10 }))!);
    expect(seen.filter((item) => item.kind === "event")).toEqual([
      { kind: "event", id: startId, resumable: true, event: { type: "message.start", data: { turn_id: turn!.id, hint_level: 1 } } },
      { kind: "event", id: startId, resumable: false, event: { type: "error", data: { code: "UPSTREAM_ERROR", message: expect.stringMatching(/closing event/) } } },
    ]);
  });

  it("a long answer of many tiny chunks reaches a late reader whole and from its start, in far fewer events than chunks", async () => {
    const chunks = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + (i % 26)));
    const chatty: Tutor = {
      provider: "chatty",
      async *generate(): AsyncGenerator<TutorChunk> {
        for (const content of chunks) yield { type: "delta", content };
        yield { type: "end", finishReason: "stop", tokens: chunks.length };
      },
    };
    // The default bound of the bus (1000 events) is smaller than the number of chunks.
    const { service, turns } = buildService({ tutor: chatty });
    const user = "svc-chatty";
    const { turn_id } = await service.createMessage(user, { session_id: await newSession(user), problem_id: PROBLEM_ID, hint_level: 1 });
    await vi.waitFor(async () => expect((await turns.findOwned(user, turn_id))!.status).toBe("completed"), { timeout: 10_000 });
    const events = (await collect((await service.openStream(user, turn_id, null, new AbortController().signal))!)).flatMap((item) =>
      item.kind === "event" ? [item.event] : [],
    );
    expect(events[0]!.type).toBe("message.start");
    expect(events.at(-1)).toEqual({ type: "message.end", data: { finish_reason: "stop", tokens: 3000 } });
    const deltas = events.filter((event) => event.type === "message.delta");
    expect(deltas.map((event) => event.data.content).join("")).toBe(chunks.join(""));
    expect(deltas.length).toBeLessThan(chunks.length / 10);
  });

  it("a resume from an id older than the oldest kept event gets EVENTS_EXPIRED instead of a silent gap", async () => {
    const bus = new MemoryStreamBus({ maxLength: 5 });
    const { service } = buildService({ bus });
    const sessionId = await newSession("svc-trimmed");
    const [turn] = await db.handle.db
      .insert(tutorTurns)
      .values({ userId: "svc-trimmed", sessionId, problemId: PROBLEM_ID, hintLevel: 1, provider: "local" })
      .returning();
    const stream = `tutor:${turn!.id}`;
    const startId = await bus.append(stream, { type: "message.start", data: { turn_id: turn!.id, hint_level: 1 } });
    for (let i = 0; i < 10; i++) await bus.append(stream, { type: "message.delta", data: { content: `${i} ` } });
    for (const from of [startId, null]) {
      const [first] = await collect((await service.openStream("svc-trimmed", turn!.id, from, new AbortController().signal))!);
      // Not an event of the stream: its id stays the reader's resume point.
      expect(first).toEqual({ kind: "event", id: from ?? bus.originId, resumable: false, event: { type: "error", data: { code: "EVENTS_EXPIRED", message: expect.stringMatching(/expired/) } } });
    }
  });

  it("answers 404 for a finished turn whose events have expired", async () => {
    const { service } = buildService();
    const sessionId = await newSession("svc-expired");
    const [turn] = await db.handle.db
      .insert(tutorTurns)
      .values({ userId: "svc-expired", sessionId, problemId: PROBLEM_ID, hintLevel: 1, provider: "local", status: "completed" })
      .returning();
    await expect(service.openStream("svc-expired", turn!.id, null, new AbortController().signal)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
