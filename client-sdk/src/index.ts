import type { AppRouter } from "@co/shared/router";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import superjson from "superjson";

export type { AppRouter };
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
  /** An EventSource constructor for subscriptions where none is global (Node: the `eventsource` package). */
  EventSource?: typeof globalThis.EventSource;
}

/**
 * A fully typed client of the CO: queries and mutations batched over `/trpc` with
 * superjson (Dates stay Dates), subscriptions (the tutor stream) over SSE.
 */
export function createCoClient(options: CoClientOptions) {
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
          ...(options.EventSource ? { EventSource: options.EventSource } : {}),
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

export type CoClient = ReturnType<typeof createCoClient>;
