import { describe, expect, it } from "vitest";
import { KeyDifficultyCache, type KeyDifficulties } from "../../server/src/services/learning/key-difficulties.js";

const clockAt = (start: number) => {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
};

/** A loader whose every call is counted and answers what `next` holds (or rejects with it). */
const loader = () => {
  const state = { calls: 0, next: new Map([["topic:a", 1]]) as KeyDifficulties | Error };
  const load = async (): Promise<KeyDifficulties> => {
    state.calls++;
    if (state.next instanceof Error) throw state.next;
    return state.next;
  };
  return { state, load };
};

describe("the median β of every key, kept for p_success", () => {
  it("is loaded once, then served without the database until it is older than its age limit", async () => {
    const clock = clockAt(0);
    const { state, load } = loader();
    const cache = new KeyDifficultyCache(load, clock, 10_000);
    expect((await cache.get()).get("topic:a")).toBe(1);
    clock.advance(9_999);
    await cache.get();
    expect(state.calls).toBe(1);
  });

  it("when it is stale, a read gets the last value at once while one refresh runs for every concurrent read", async () => {
    const clock = clockAt(0);
    const { state, load } = loader();
    const cache = new KeyDifficultyCache(load, clock, 10_000);
    await cache.get();
    clock.advance(10_000);
    state.next = new Map([["topic:a", 2]]);
    const [first, second] = await Promise.all([cache.get(), cache.get()]);
    expect([first.get("topic:a"), second.get("topic:a")]).toEqual([1, 1]);
    expect(state.calls).toBe(2);
    await Promise.resolve();
    expect((await cache.get()).get("topic:a")).toBe(2);
  });

  it("a failed refresh keeps the last value and the next read tries again; with no value yet the failure reaches the reader", async () => {
    const clock = clockAt(0);
    const { state, load } = loader();
    state.next = new Error("database down");
    const cache = new KeyDifficultyCache(load, clock, 10_000);
    await expect(cache.get()).rejects.toThrow("database down");
    state.next = new Map([["topic:a", 3]]);
    expect((await cache.get()).get("topic:a")).toBe(3);
    clock.advance(10_000);
    state.next = new Error("database down");
    expect((await cache.get()).get("topic:a")).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 0));
    state.next = new Map([["topic:a", 4]]);
    await cache.get();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect((await cache.get()).get("topic:a")).toBe(4);
    expect(state.calls).toBe(4);
  });
});
