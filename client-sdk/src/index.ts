import type { AppRouter } from "@co/shared/router";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import superjson from "superjson";

export type { AppRouter };
/**
 * What every failed call rejects with: `error.data.app_code` is the CO's error code
 * (`NOT_FOUND`, `RATE_LIMITED`, ...), `error.data.details` its details, `error.message` the text.
 */
export { TRPCClientError } from "@trpc/client";
/** Input type of every procedure, e.g. `RouterInputs["sessions"]["create"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Output type of every procedure, e.g. `RouterOutputs["tracks"]["list"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

type MaybePromise<T> = T | Promise<T>;

export interface CoClientOptions {
  /** Where the Curriculum Orchestrator runs, e.g. `http://127.0.0.1:8000`. */
  baseUrl: string;
  /** The learner's JWT, asked for on every request (so refreshed tokens are picked up). */
  getToken: () => MaybePromise<string | null | undefined>;
  /** A fetch implementation (defaults to the global one). */
  fetch?: typeof fetch;
  /**
   * An EventSource constructor for subscriptions (the tutor stream), where the runtime has
   * none: on Node, the `EventSource` the `eventsource` package exports. Browsers have their own.
   */
  EventSource?: typeof globalThis.EventSource;
}

/** Message of the error a subscription fails with when no EventSource exists. */
export const MISSING_EVENTSOURCE_MESSAGE =
  "This runtime has no global EventSource, which tutor streams need: pass one as createCoClient({ ..., EventSource }); " +
  "on Node, `npm install eventsource` and pass the `EventSource` that package exports.";

/**
 * Stands in for a missing EventSource, so a subscription fails with a message that names
 * the fix instead of tRPC's "EventSource is not a constructor"; queries are unaffected.
 */
class MissingEventSource {
  constructor() {
    throw new TypeError(MISSING_EVENTSOURCE_MESSAGE);
  }
}

function eventSourceFor(options: CoClientOptions): typeof globalThis.EventSource {
  return options.EventSource ?? globalThis.EventSource ?? (MissingEventSource as unknown as typeof globalThis.EventSource);
}

/**
 * A fully typed client of the CO: queries and mutations batched over `/trpc` with
 * superjson (Dates stay Dates), subscriptions (the tutor stream) over SSE.
 */
export function createCoClient(options: CoClientOptions): TRPCClient<AppRouter> {
  const url = `${options.baseUrl.replace(/\/$/, "")}/trpc`;
  const authorization = async (): Promise<Record<string, string>> => {
    const token = await options.getToken();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (operation) => operation.type === "subscription",
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          // EventSource cannot send headers: the token travels as a connection parameter.
          connectionParams: async () => {
            const token = await options.getToken();
            return token ? { token } : {};
          },
          EventSource: eventSourceFor(options),
        }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          headers: authorization,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        }),
      }),
    ],
  });
}

export type CoClient = TRPCClient<AppRouter>;

/** A tutor stream that ended with an `error` event (`code` e.g. UPSTREAM_ERROR, UPSTREAM_TIMEOUT, SHUTDOWN, EVENTS_EXPIRED). */
export class TutorStreamError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Id of the last event received: pass it as `lastEventId` to resume (after a SHUTDOWN, on another instance). */
    readonly lastEventId: string | undefined,
  ) {
    super(message);
    this.name = "TutorStreamError";
  }
}

export interface StreamHintOptions {
  /** Resume after this event id (from a previous stream or a `TutorStreamError`). */
  lastEventId?: string;
  /** Stops the stream; iteration then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * A tutor turn's hint as an async iterable of markdown deltas, over the `tutor.stream`
 * subscription: it ends at `message.end`, throws `TutorStreamError` on an `error` event,
 * and resumes by itself after a dropped connection (the link resends the last event id).
 * Started after the turn's closing event (`lastEventId` of `message.end`), it ends at once.
 *
 * ```ts
 * const { turn_id } = await client.tutor.createMessage.mutate({ session_id, problem_id, hint_level: 1 });
 * for await (const delta of streamHint(client, turn_id)) render(delta);
 * ```
 */
export async function* streamHint(client: CoClient, turnId: string, options: StreamHintOptions = {}): AsyncGenerator<string> {
  type Item = { kind: "delta"; content: string } | { kind: "end" } | { kind: "error"; error: unknown };
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  const push = (item: Item) => {
    queue.push(item);
    wake?.();
  };
  const subscription = client.tutor.stream.subscribe(
    { turn_id: turnId, lastEventId: options.lastEventId ?? null },
    {
      onData: ({ id, data: event }) => {
        if (event.type === "message.delta") push({ kind: "delta", content: event.data.content });
        else if (event.type === "message.end") push({ kind: "end" });
        // A shutdown notice carries the resume point as its id: resuming after it loses nothing.
        else if (event.type === "error") push({ kind: "error", error: new TutorStreamError(event.data.code, event.data.message, id) });
      },
      onError: (error) => push({ kind: "error", error }),
      onComplete: () => push({ kind: "end" }),
    },
  );
  const onAbort = () => push({ kind: "error", error: options.signal?.reason });
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    options.signal?.throwIfAborted();
    for (;;) {
      const item = queue.shift();
      if (!item) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (item.kind === "end") return;
      if (item.kind === "error") throw item.error;
      yield item.content;
    }
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    subscription.unsubscribe();
  }
}
