import { randomUUID } from "node:crypto";
import { ofetch } from "ofetch";
import type { z } from "zod";
import { AppError } from "../../errors/app-error.js";

/**
 * The one HTTP client the neighbour adapters (§9) share: headers, one deadline per call,
 * retries with backoff for GETs only, zod validation of every body, and the mapping of
 * every failure to a §5 error. Messages never carry response bodies, URLs or secrets.
 */

export interface NeighbourClientOptions {
  /** How the service is named in error messages, e.g. "Problem bank". */
  service: string;
  /** Machine-readable name put in `details.service`, e.g. "problem_bank". */
  serviceId: string;
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  serviceToken?: string;
  /** Budget of one call, retries and backoff included (§15: a slow neighbour fails within its timeout). */
  timeoutMs: number;
  /** The current request's id, when the caller can tell; otherwise each call gets a fresh uuid. */
  getRequestId?: () => string | undefined;
  /** Retries of a failed GET (network error or 5xx); default 2, at most 2. POSTs are never retried. */
  maxRetries?: number;
  /** First backoff delay; doubled per retry, with jitter (default 100 ms). */
  retryDelayMs?: number;
}

export type QueryValue = string | number | boolean | null | undefined;

export interface CallOptions {
  /** Unset, null and empty values are not sent. */
  query?: Record<string, QueryValue>;
  /** `X-Request-ID` of this call; wins over `getRequestId`. */
  requestId?: string;
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
const VALID_REQUEST_ID = /^[\x21-\x7E]{1,128}$/;

/**
 * Encodes one path segment (an id) for a neighbour URL. Returns null for values no URL can
 * address as a segment ("" would name the collection, "." and ".." are resolved away by
 * URL parsing even when percent-encoded): callers treat those as unknown ids.
 */
export function encodePathSegment(value: string): string | null {
  if (value === "" || value === "." || value === "..") return null;
  return encodeURIComponent(value);
}

export function createNeighbourClient(options: NeighbourClientOptions): NeighbourClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const maxRetries = Math.max(0, Math.min(MAX_RETRIES, options.maxRetries ?? MAX_RETRIES));
  const retryDelayMs = Math.max(0, options.retryDelayMs ?? 100);

  const upstreamError = (reason: string, status?: number, cause?: unknown) =>
    new AppError(
      "UPSTREAM_ERROR",
      `${options.service} ${reason}`,
      { service: options.serviceId, ...(status !== undefined ? { upstream_status: status } : {}) },
      cause === undefined ? undefined : { cause },
    );

  const timeoutError = () =>
    new AppError("UPSTREAM_TIMEOUT", `${options.service} did not answer within ${options.timeoutMs} ms`, {
      service: options.serviceId,
    });

  function headersFor(call: CallOptions, hasBody: boolean): Record<string, string> {
    const wanted = call.requestId ?? options.getRequestId?.();
    const headers: Record<string, string> = {
      Accept: "application/json",
      "X-Service": "curriculum-orchestrator",
      "X-Request-ID": wanted && VALID_REQUEST_ID.test(wanted) ? wanted : randomUUID(),
    };
    if (options.serviceToken) headers.Authorization = `Bearer ${options.serviceToken}`;
    if (hasBody) headers["Content-Type"] = "application/json";
    return headers;
  }

  function urlOf(path: string, query: CallOptions["query"]): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null || value === "") continue;
      params.append(key, String(value));
    }
    const search = params.toString();
    return `${base}${path.startsWith("/") ? path : `/${path}`}${search ? `?${search}` : ""}`;
  }

  function parseBody<S extends z.ZodType>(text: unknown, schema: S): z.output<S> {
    let json: unknown;
    try {
      json = JSON.parse(typeof text === "string" ? text : "");
    } catch {
      // The parser's message quotes the body: keep it out of the error chain.
      throw upstreamError("returned an unexpected response", undefined, new Error("response body is not JSON"));
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw upstreamError("returned an unexpected response", undefined, parsed.error);
    return parsed.data;
  }

  async function send<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    schema: S,
    call: CallOptions,
  ): Promise<NeighbourResult<z.output<S>>> {
    call.signal?.throwIfAborted();
    const url = urlOf(path, call.query);
    const headers = headersFor(call, body !== undefined);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const retries = method === "GET" ? maxRetries : 0;
    const deadline = Date.now() + options.timeoutMs;

    const timer = new AbortController();
    const timeout = setTimeout(() => timer.abort(new Error("neighbour call timed out")), options.timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, timer.signal]) : timer.signal;
    // Aborted by the caller → their reason; by our deadline → UPSTREAM_TIMEOUT.
    const interrupted = (): unknown => (call.signal?.aborted ? call.signal.reason : timer.signal.aborted ? timeoutError() : undefined);

    try {
      for (let attempt = 0; ; attempt++) {
        let failure: AppError;
        try {
          const response = await ofetch.raw(url, {
            method,
            headers,
            body: payload,
            signal,
            retry: false,
            responseType: "text",
            ignoreResponseError: true,
          });
          const status = response.status;
          if (status >= 200 && status < 300) return { found: true, data: parseBody(response._data, schema) };
          if (status === 404) return { found: false };
          failure = upstreamError(`failed (status ${status})`, status);
          if (status < 500) throw failure;
        } catch (error) {
          const stop = interrupted();
          if (stop !== undefined) throw stop;
          if (error instanceof AppError) throw error;
          failure = upstreamError("failed (no response)", undefined, error);
        }
        // A network error or a 5xx: retry a GET while the budget lasts.
        const delay = Math.min(MAX_BACKOFF_MS, retryDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
        if (attempt >= retries || Date.now() + delay >= deadline) throw failure;
        await sleep(delay, signal).catch(() => {
          throw interrupted() ?? failure;
        });
      }
    } finally {
      clearTimeout(timeout);
    }
  }

  const orUpstreamError = <T>(result: NeighbourResult<T>): T => {
    if (!result.found) throw upstreamError("failed (status 404)", 404);
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
