import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { AppError } from "../../errors/app-error.js";
import type { BusEvent, StreamBus } from "../../ports/stream-bus.js";
import type { RedisHandle } from "../redis/redis-client.js";

const ID = /^\d{1,20}-\d{1,20}$/;

/**
 * The stream bus on Redis Streams, shared by every instance: `XADD … MAXLEN ~` keeps the
 * stream bounded, `EXPIRE` drops it some minutes after the last append, and ids are the
 * Redis entry ids. Each reader blocks in `XREAD` on a connection of its own (a blocked
 * connection can serve nobody else), closed when the reader ends.
 */
export class RedisStreamBus implements StreamBus {
  readonly originId = "0-0";
  private readonly readers = new Set<Redis>();

  constructor(
    private readonly redis: RedisHandle,
    private readonly log: Logger,
    private readonly options: { maxLength?: number; ttlSeconds?: number; blockMs?: number } = {},
  ) {}

  isValidId(id: string): boolean {
    return ID.test(id);
  }

  async append(stream: string, event: { type: string; data: unknown }): Promise<string> {
    const key = this.keyOf(stream);
    const results = await this.redis.client
      .multi()
      .xadd(key, "MAXLEN", "~", this.options.maxLength ?? 1000, "*", "type", event.type, "data", JSON.stringify(event.data))
      .expire(key, this.options.ttlSeconds ?? 600)
      .exec();
    const [xadd] = results ?? [];
    if (!xadd || xadd[0]) throw xadd?.[0] ?? new Error("stream append was discarded");
    return xadd[1] as string;
  }

  read(stream: string, afterId: string | null, signal: AbortSignal): AsyncIterable<BusEvent> {
    if (afterId !== null && !this.isValidId(afterId)) throw AppError.validation("Last-Event-ID is not an event id of this stream");
    return this.follow(this.keyOf(stream), afterId ?? this.originId, signal);
  }

  async stored(stream: string, afterId: string | null, count: number): Promise<BusEvent[]> {
    const entries = await this.redis.client.xrange(this.keyOf(stream), afterId === null ? "-" : `(${afterId}`, "+", "COUNT", count);
    return entries.map(([id, fields]) => toEvent(id, fields));
  }

  async last(stream: string): Promise<BusEvent | undefined> {
    const [entry] = await this.redis.client.xrevrange(this.keyOf(stream), "+", "-", "COUNT", 1);
    return entry ? toEvent(entry[0], entry[1]) : undefined;
  }

  async trimmedAfter(stream: string, afterId: string | null): Promise<boolean> {
    let reply: unknown[];
    try {
      reply = (await this.redis.client.call("XINFO", "STREAM", this.keyOf(stream))) as unknown[];
    } catch (error) {
      if (/no such key/i.test((error as Error).message)) return false;
      throw error;
    }
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < reply.length; i += 2) info.set(String(reply[i]), reply[i + 1]);
    // MAXLEN trims from the front: entries were dropped when more were added than are kept,
    // and all of them came before the first entry still kept (Redis 7 reports `entries-added`).
    const added = Number(info.get("entries-added") ?? info.get("length"));
    if (!(added > Number(info.get("length")))) return false;
    const first = info.get("first-entry") as [string, string[]] | null;
    return first !== null && (afterId === null || compareIds(afterId, first[0]) < 0);
  }

  async exists(stream: string): Promise<boolean> {
    return (await this.redis.client.exists(this.keyOf(stream))) === 1;
  }

  async close(): Promise<void> {
    for (const connection of this.readers) connection.disconnect();
    this.readers.clear();
  }

  private keyOf(stream: string): string {
    return `${this.redis.prefix}stream:${stream}`;
  }

  private async *follow(key: string, afterId: string, signal: AbortSignal): AsyncGenerator<BusEvent> {
    if (signal.aborted) return;
    const blockMs = this.options.blockMs ?? 10_000;
    // A reader that loses Redis ends at once rather than retrying in silence: the client
    // reconnects with Last-Event-ID. A frozen Redis cannot hold it longer than one BLOCK + 2 s.
    const connection = this.redis.client.duplicate({
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      commandTimeout: blockMs + 2000,
    });
    connection.on("error", () => {}); // failures surface through the pending command
    const stop = () => connection.disconnect();
    signal.addEventListener("abort", stop, { once: true });
    this.readers.add(connection);
    try {
      await connection.connect();
      // XREAD after an id answers what is already there at once, then blocks for more:
      // replay and follow in one loop, ordered by id, with no gap and no duplicate.
      let last = afterId;
      while (!signal.aborted) {
        const reply = await connection.xread("COUNT", 100, "BLOCK", blockMs, "STREAMS", key, last);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            yield toEvent(id, fields);
          }
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      this.log.warn({ err: (error as Error).message }, "stream bus reader failed");
      throw new AppError("UNAVAILABLE", "The event stream lost its store; reconnect with Last-Event-ID", {}, { cause: error });
    } finally {
      signal.removeEventListener("abort", stop);
      this.readers.delete(connection);
      connection.disconnect();
    }
  }
}

/** Orders two Redis stream ids (`ms-seq`). */
function compareIds(a: string, b: string): number {
  const [aMs = 0n, aSeq = 0n] = a.split("-").map(BigInt);
  const [bMs = 0n, bSeq = 0n] = b.split("-").map(BigInt);
  if (aMs !== bMs) return aMs < bMs ? -1 : 1;
  return aSeq === bSeq ? 0 : aSeq < bSeq ? -1 : 1;
}

function toEvent(id: string, fields: string[]): BusEvent {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i]!, fields[i + 1]!);
  return { id, type: values.get("type") ?? "message", data: JSON.parse(values.get("data") ?? "null") as unknown };
}
