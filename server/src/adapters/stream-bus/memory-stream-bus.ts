import { EventEmitter } from "node:events";
import { AppError } from "../../errors/app-error.js";
import type { BusEvent, StreamBus } from "../../ports/stream-bus.js";

interface MemoryStream {
  events: BusEvent[];
  lastId: number;
  /** The newest id dropped by the length bound (0: none). */
  droppedThrough: number;
  expiry: NodeJS.Timeout;
}

const ID = /^\d{1,15}$/;

/**
 * The stream bus of a single instance: ids are increasing integers per stream, an
 * EventEmitter wakes readers. Same bounds as the Redis adapter: at most `maxLength`
 * events kept, the whole stream dropped `ttlMs` after its last append.
 */
export class MemoryStreamBus implements StreamBus {
  readonly originId = "0";
  private readonly streams = new Map<string, MemoryStream>();
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly closed = new AbortController();

  constructor(private readonly options: { maxLength?: number; ttlMs?: number } = {}) {}

  isValidId(id: string): boolean {
    return ID.test(id);
  }

  async append(stream: string, event: { type: string; data: unknown }): Promise<string> {
    let entry = this.streams.get(stream);
    if (entry) clearTimeout(entry.expiry);
    else {
      entry = { events: [], lastId: 0, droppedThrough: 0, expiry: undefined as unknown as NodeJS.Timeout };
      this.streams.set(stream, entry);
    }
    entry.expiry = setTimeout(() => this.streams.delete(stream), this.options.ttlMs ?? 600_000).unref();
    const stored: BusEvent = { id: String(++entry.lastId), type: event.type, data: event.data };
    entry.events.push(stored);
    const overflow = entry.events.length - (this.options.maxLength ?? 1000);
    if (overflow > 0) entry.droppedThrough = Number(entry.events.splice(0, overflow).at(-1)!.id);
    this.emitter.emit(stream, stored);
    return stored.id;
  }

  read(stream: string, afterId: string | null, signal: AbortSignal): AsyncIterable<BusEvent> {
    if (afterId !== null && !this.isValidId(afterId)) throw AppError.validation("Last-Event-ID is not an event id of this stream");
    return this.follow(stream, afterId === null ? 0 : Number(afterId), AbortSignal.any([signal, this.closed.signal]));
  }

  async stored(stream: string, afterId: string | null, count: number): Promise<BusEvent[]> {
    const after = afterId === null ? 0 : Number(afterId);
    return (this.streams.get(stream)?.events ?? []).filter((event) => Number(event.id) > after).slice(0, count);
  }

  async last(stream: string): Promise<BusEvent | undefined> {
    return this.streams.get(stream)?.events.at(-1);
  }

  async trimmedAfter(stream: string, afterId: string | null): Promise<boolean> {
    return (afterId === null ? 0 : Number(afterId)) < (this.streams.get(stream)?.droppedThrough ?? 0);
  }

  async exists(stream: string): Promise<boolean> {
    return this.streams.has(stream);
  }

  async close(): Promise<void> {
    this.closed.abort();
    for (const entry of this.streams.values()) clearTimeout(entry.expiry);
    this.streams.clear();
  }

  private async *follow(stream: string, after: number, signal: AbortSignal): AsyncGenerator<BusEvent> {
    let last = after;
    const queue: BusEvent[] = [];
    let wake: (() => void) | undefined;
    const onEvent = (event: BusEvent) => {
      queue.push(event);
      wake?.();
    };
    const onAbort = () => wake?.();
    // Listen first, then replay: an append in between is seen once, de-duplicated by id.
    this.emitter.on(stream, onEvent);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      queue.unshift(...(this.streams.get(stream)?.events ?? []));
      while (!signal.aborted) {
        const next = queue.shift();
        if (!next) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          continue;
        }
        const id = Number(next.id);
        if (id <= last) continue;
        last = id;
        yield next;
      }
    } finally {
      this.emitter.off(stream, onEvent);
      signal.removeEventListener("abort", onAbort);
    }
  }
}
