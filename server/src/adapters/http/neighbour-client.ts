import type { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import { exchange, neighbourUrl, parseAs, startCall, statusError, type Neighbour, type QueryValue } from "./neighbour.js";

/**
 * The JSON face of a neighbour (§9): retries with backoff for GETs only, within the one
 * deadline of the call, and zod validation of every body.
 */
export interface NeighbourClientOptions extends Neighbour {
  /** Retries of a failed GET (network error or 5xx); default 2, at most 2. POSTs are never retried. */
  maxRetries?: number;
  /** First backoff delay; doubled per retry, with jitter (default 100 ms). */
  retryDelayMs?: number;
}

export interface CallOptions {
  /** Unset, null and empty values are not sent. */
  query?: Record<string, QueryValue>;
  /** Cancels the call; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface NeighbourClient {
  /** GET a resource that must exist: a 404 is an UPSTREAM_ERROR. */
  get<S extends z.ZodType>(path: string, schema: S, options?: CallOptions): Promise<z.output<S>>;
  /** GET a resource that may not exist: a 404 resolves null. */
  getOrNull<S extends z.ZodType>(path: string, schema: S, options?: CallOptions): Promise<z.output<S> | null>;
  /** POST a JSON body; never retried, a 404 is an UPSTREAM_ERROR. */
  post<S extends z.ZodType>(path: string, body: unknown, schema: S, options?: CallOptions): Promise<z.output<S>>;
}

/** The typed outcome of one call: a validated body, or the neighbour's 404. */
export type NeighbourResult<T> = { found: true; data: T } | { found: false };

const MAX_RETRIES = 2;
const MAX_BACKOFF_MS = 2_000;

export function createNeighbourClient(options: NeighbourClientOptions): NeighbourClient {
  const maxRetries = Math.max(0, Math.min(MAX_RETRIES, options.maxRetries ?? MAX_RETRIES));
  const retryDelayMs = Math.max(0, options.retryDelayMs ?? 100);

  async function send<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: S,
    call: CallOptions,
  ): Promise<NeighbourResult<z.output<S>>> {
    call.signal?.throwIfAborted();
    const url = neighbourUrl(options, path, call.query);
    const retries = method === "GET" ? maxRetries : 0;
    const attempts = startCall(options, call.signal);
    const budgetEnds = Date.now() + (options.timeoutMs ?? Infinity);
    try {
      for (let attempt = 0; ; attempt++) {
        // No answer at all is worth a retry; an interrupted call is not.
        const response = await exchange(options, attempts, { method, url, body, accept: "application/json" }).catch((error: unknown) => {
          if (attempts.interruption() !== undefined || !(error instanceof AppError)) throw error;
          return error;
        });
        let failure: AppError;
        if (response instanceof AppError) failure = response;
        else {
          const status = response.status;
          if (status >= 200 && status < 300) return { found: true, data: parseAs(options, response._data, schema) };
          if (status === 404) return { found: false };
          failure = statusError(options, status);
          if (status < 500) throw failure;
        }
        // A network error or a 5xx: retry a GET while the budget lasts.
        const delay = Math.min(MAX_BACKOFF_MS, retryDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
        if (attempt >= retries || Date.now() + delay >= budgetEnds) throw failure;
        await sleep(delay, attempts.signal).catch(() => {
          throw attempts.interruption() ?? failure;
        });
      }
    } finally {
      attempts.clear();
    }
  }

  const orUpstreamError = <T>(result: NeighbourResult<T>): T => {
    if (!result.found) throw statusError(options, 404);
    return result.data;
  };

  return {
    async get(path, schema, call = {}) {
      return orUpstreamError(await send("GET", path, undefined, schema, call));
    },
    async getOrNull(path, schema, call = {}) {
      const result = await send("GET", path, undefined, schema, call);
      return result.found ? result.data : null;
    },
    async post(path, body, schema, call = {}) {
      return orUpstreamError(await send("POST", path, body ?? null, schema, call));
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
