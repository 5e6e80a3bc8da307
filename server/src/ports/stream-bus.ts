/** One event of a stream, as stored: its id orders it within the stream. */
export interface BusEvent {
  id: string;
  type: string;
  data: unknown;
}

/**
 * Append-only event streams that any instance can read: Redis Streams when configured,
 * in-process otherwise. Streams are bounded in length and expire some minutes after
 * their last append, so an abandoned stream costs nothing for long.
 */
export interface StreamBus {
  /** An id before every event: reading after it replays the whole stream. */
  readonly originId: string;
  /** Whether `id` has the shape of an id this bus issues (a resumption point from a client). */
  isValidId(id: string): boolean;
  /** Appends an event; resolves its id, greater than every earlier id of that stream. */
  append(stream: string, event: { type: string; data: unknown }): Promise<string>;
  /**
   * Every event after `afterId` (null: from the start), then each new one as it is
   * appended: no gap, no duplicate. Ends quietly when `signal` aborts; throws
   * `AppError` VALIDATION_ERROR when `afterId` is not an id this bus could have issued.
   */
  read(stream: string, afterId: string | null, signal: AbortSignal): AsyncIterable<BusEvent>;
  /** Up to `count` events stored now after `afterId` (null: from the start), without waiting for more. */
  stored(stream: string, afterId: string | null, count: number): Promise<BusEvent[]>;
  /** The newest stored event, if any. */
  last(stream: string): Promise<BusEvent | undefined>;
  /**
   * Whether some event after `afterId` (null: from the start) was dropped by the length
   * bound, so reading from there would silently skip it.
   */
  trimmedAfter(stream: string, afterId: string | null): Promise<boolean>;
  /** True while the stream holds events (it has not expired). */
  exists(stream: string): Promise<boolean>;
  /** Ends every open reader and releases connections. */
  close(): Promise<void>;
}
