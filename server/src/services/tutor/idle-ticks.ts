export type Ticked<T> = { kind: "item"; value: T } | { kind: "idle" };

/**
 * Passes items through and, whenever `idleMs` pass without one, yields an idle tick
 * (the SSE `ping`, and the moment to notice a turn nobody is finishing). The pending
 * `next()` is kept across ticks, so no item is lost or read twice.
 */
export async function* withIdleTicks<T>(source: AsyncIterable<T>, idleMs: number): AsyncGenerator<Ticked<T>> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let finished = false;
  try {
    for (;;) {
      pending ??= iterator.next();
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<"idle">((resolve) => (timer = setTimeout(() => resolve("idle"), idleMs)));
      const result = await Promise.race([pending, idle]).finally(() => clearTimeout(timer));
      if (result === "idle") {
        yield { kind: "idle" };
        continue;
      }
      pending = undefined;
      if (result.done) {
        finished = true;
        return;
      }
      yield { kind: "item", value: result.value };
    }
  } finally {
    // A source still waiting ends through its own abort signal; one at rest is closed here.
    if (pending) pending.catch(() => {});
    else if (!finished) await iterator.return?.();
  }
}
