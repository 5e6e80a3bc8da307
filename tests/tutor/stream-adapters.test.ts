import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStreamBus } from "../../server/src/adapters/stream-bus/memory-stream-bus.js";
import { MemoryStreamSlots } from "../../server/src/adapters/stream-bus/memory-stream-slots.js";
import { RedisStreamBus } from "../../server/src/adapters/stream-bus/redis-stream-bus.js";
import { RedisStreamSlots } from "../../server/src/adapters/stream-bus/redis-stream-slots.js";
import { createLogger } from "../../server/src/logger.js";
import type { BusEvent, StreamBus } from "../../server/src/ports/stream-bus.js";
import type { StreamSlots } from "../../server/src/ports/stream-slots.js";
import { createTestRedis, testServices, type TestRedis } from "../support/test-infra.js";

let redis: TestRedis | null = null;
beforeAll(async () => {
  redis = await createTestRedis();
});
afterAll(() => redis?.dispose());

const stubClock = () => {
  let now = Date.parse("2025-01-01T00:00:00Z");
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
};

/** Reads until `count` events arrived, then stops the reader. */
async function take(bus: StreamBus, stream: string, afterId: string | null, count: number): Promise<BusEvent[]> {
  const controller = new AbortController();
  const events: BusEvent[] = [];
  for await (const event of bus.read(stream, afterId, controller.signal)) {
    events.push(event);
    if (events.length === count) controller.abort();
  }
  return events;
}

const buses: [string, () => StreamBus][] = [["in-process", () => new MemoryStreamBus()]];
if (testServices.redisUrl) buses.push(["Redis", () => new RedisStreamBus(redis!.handle, createLogger("silent"), { blockMs: 200 })]);

describe.each(buses)("%s stream bus", (_name, makeBus) => {
  it("gives increasing ids, replays after an id, then follows new events with no gap and no duplicate", async () => {
    const bus = makeBus();
    const stream = `bus-${crypto.randomUUID()}`;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await bus.append(stream, { type: "message.delta", data: { content: `early ${i}` } }));
    expect(ids.every((id) => bus.isValidId(id))).toBe(true);
    const reading = take(bus, stream, ids[0]!, 5);
    for (let i = 0; i < 3; i++) await bus.append(stream, { type: "message.delta", data: { content: `late ${i}` } });
    const events = await reading;
    expect(events.map((event) => (event.data as { content: string }).content)).toEqual(["early 1", "early 2", "late 0", "late 1", "late 2"]);
    expect(events[0]!.id).toBe(ids[1]);
    const all = await take(bus, stream, null, 6);
    expect(all.map((event) => event.type)).toEqual(Array(6).fill("message.delta"));
    expect(new Set(all.map((event) => event.id)).size).toBe(6);
    expect(await take(bus, stream, bus.originId, 6)).toEqual(all);
    await bus.close();
  });

  it("refuses an id it could not have issued, and ends a reader quietly when aborted", async () => {
    const bus = makeBus();
    expect(() => bus.read("any", "not-an-id", new AbortController().signal)).toThrow(/Last-Event-ID/);
    const controller = new AbortController();
    const reading = (async () => {
      const events: BusEvent[] = [];
      for await (const event of bus.read(`idle-${crypto.randomUUID()}`, null, controller.signal)) events.push(event);
      return events;
    })();
    await sleep(20);
    controller.abort();
    expect(await reading).toEqual([]);
    await bus.close();
  });
});

describe("stream bus bounds", () => {
  it("in-process: keeps at most maxLength events and drops a stream ttl after its last append", async () => {
    const bus = new MemoryStreamBus({ maxLength: 5, ttlMs: 50 });
    for (let i = 0; i < 20; i++) await bus.append("bounded", { type: "message.delta", data: i });
    const kept = await take(bus, "bounded", null, 5);
    expect(kept.map((event) => event.data)).toEqual([15, 16, 17, 18, 19]);
    expect(await bus.exists("bounded")).toBe(true);
    await sleep(150);
    expect(await bus.exists("bounded")).toBe(false);
    await bus.close();
  });

  it("in-process: tells whether events after an id were trimmed", async () => {
    const bus = new MemoryStreamBus({ maxLength: 5 });
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await bus.append("trimmed", { type: "message.delta", data: i }));
    expect(await bus.trimmedAfter("trimmed", null)).toBe(true);
    expect(await bus.trimmedAfter("trimmed", ids[13]!)).toBe(true);
    expect(await bus.trimmedAfter("trimmed", ids[14]!)).toBe(false);
    expect(await bus.trimmedAfter("trimmed", ids[19]!)).toBe(false);
    await bus.append("whole", { type: "message.start", data: {} });
    expect(await bus.trimmedAfter("whole", null)).toBe(false);
    expect(await bus.trimmedAfter("unknown", null)).toBe(false);
    await bus.close();
  });

  it.runIf(testServices.redisUrl)("Redis: tells whether events after an id were trimmed", async () => {
    const bus = new RedisStreamBus(redis!.handle, createLogger("silent"), { maxLength: 100 });
    const ids = [];
    for (let i = 0; i < 1000; i++) ids.push(await bus.append("trimmed", { type: "message.delta", data: i }));
    const [firstKept] = await bus.stored("trimmed", null, 1);
    expect(await bus.trimmedAfter("trimmed", null)).toBe(true);
    expect(await bus.trimmedAfter("trimmed", ids[0]!)).toBe(true);
    expect(await bus.trimmedAfter("trimmed", firstKept!.id)).toBe(false);
    expect(await bus.trimmedAfter("trimmed", ids[999]!)).toBe(false);
    await bus.append("whole", { type: "message.start", data: {} });
    expect(await bus.trimmedAfter("whole", null)).toBe(false);
    expect(await bus.trimmedAfter("unknown", null)).toBe(false);
  });

  it.runIf(testServices.redisUrl)("Redis: trims with MAXLEN ~ and sets an expiry on every append", async () => {
    const bus = new RedisStreamBus(redis!.handle, createLogger("silent"), { maxLength: 100, ttlSeconds: 600 });
    for (let i = 0; i < 1000; i++) await bus.append("bounded", { type: "message.delta", data: i });
    const key = `${redis!.handle.prefix}stream:bounded`;
    const length = await redis!.handle.client.xlen(key);
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(1000);
    const ttl = await redis!.handle.client.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });
});

const slotAdapters: [string, () => { slots: StreamSlots; lapse: (ms: number) => Promise<void> }][] = [
  [
    "in-process",
    () => {
      const clock = stubClock();
      return { slots: new MemoryStreamSlots(clock), lapse: async (ms) => void clock.advance(ms) };
    },
  ],
];
if (testServices.redisUrl) slotAdapters.push(["Redis", () => ({ slots: new RedisStreamSlots(redis!.handle), lapse: (ms) => sleep(ms) })]);

describe.each(slotAdapters)("%s stream slots", (_name, make) => {
  it("grants up to the cap per user, counts what is held, and frees a released slot", async () => {
    const { slots } = make();
    const user = `slots-${crypto.randomUUID()}`;
    expect(await slots.acquire(user, "t1", 2, 60_000)).toEqual({ acquired: true, active: 1 });
    expect(await slots.acquire(user, "t2", 2, 60_000)).toEqual({ acquired: true, active: 2 });
    expect(await slots.acquire(user, "t3", 2, 60_000)).toEqual({ acquired: false, active: 2 });
    expect((await slots.acquire(`${user}-other`, "t1", 2, 60_000)).acquired).toBe(true);
    await slots.release(user, "t1");
    expect(await slots.acquire(user, "t3", 2, 60_000)).toEqual({ acquired: true, active: 2 });
  });

  it("lets slots lapse after their TTL, so a dead instance leaks none", async () => {
    const { slots, lapse } = make();
    const user = `lapse-${crypto.randomUUID()}`;
    await slots.acquire(user, "held-by-a-dead-instance", 1, 100);
    expect((await slots.acquire(user, "new", 1, 100)).acquired).toBe(false);
    await lapse(300);
    expect(await slots.acquire(user, "new", 1, 100)).toEqual({ acquired: true, active: 1 });
  });

  it("tells whether a slot is held until it lapses or is released; taking it again at the cap renews its lease", async () => {
    const { slots, lapse } = make();
    const user = `held-${crypto.randomUUID()}`;
    expect(await slots.isHeld(user, "t1")).toBe(false);
    await slots.acquire(user, "t1", 1, 400);
    expect(await slots.isHeld(user, "t1")).toBe(true);
    await lapse(250);
    expect(await slots.acquire(user, "t1", 1, 400)).toEqual({ acquired: true, active: 1 });
    await lapse(250);
    // 500 ms after it was first taken, the renewed lease still holds.
    expect(await slots.isHeld(user, "t1")).toBe(true);
    await lapse(500);
    expect(await slots.isHeld(user, "t1")).toBe(false);
    await slots.acquire(user, "t2", 1, 60_000);
    await slots.release(user, "t2");
    expect(await slots.isHeld(user, "t2")).toBe(false);
  });

  it("never grants more than the cap to racing requests", async () => {
    const { slots } = make();
    const user = `race-${crypto.randomUUID()}`;
    const decisions = await Promise.all(Array.from({ length: 10 }, (_, i) => slots.acquire(user, `t${i}`, 3, 60_000)));
    expect(decisions.filter((decision) => decision.acquired)).toHaveLength(3);
  });
});
