import { ofetch } from "ofetch";
import type { z } from "zod";
import { AppError } from "../../errors/app-error.js";
import { requestIdOrNew, type RequestScope } from "../../request-scope.js";

/**
 * The one way out to a neighbour service (§9): who it is, the headers of every call, one
 * deadline per call, and the mapping of every failure to a §5 error. The JSON client
 * (problem bank, evaluator) and the event-stream calls (tutors) are both built on it.
 * Error messages never carry response bodies, URLs or secrets.
 */
export interface Neighbour {
  /** How the service is named in error messages, e.g. "Problem bank". */
  service: string;
  /** Machine-readable name put in `details.service`, e.g. "problem_bank". */
  serviceId: string;
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set (`CO_SERVICE_TOKEN`, or a model's API key). */
  bearer?: string;
  /**
   * Budget of one call, retries, backoff and the whole body included (§15: a slow neighbour
   * fails within its timeout). Unset, the caller's signal is the only bound: a tutor stream
   * is timed by its turn runner (to the first byte, then between messages).
   */
  timeoutMs?: number;
  /** Where `X-Request-ID` comes from: the CO request the work runs for; without one, a fresh uuid per call. */
  requestScope?: RequestScope;
}

/** How the composition root points an adapter at its neighbour. */
export interface NeighbourEndpoint {
  baseUrl: string;
  /** `CO_SERVICE_TOKEN`, sent as the bearer credential. */
  serviceToken?: string;
  /** See {@link Neighbour.timeoutMs}. */
  timeoutMs?: number;
  requestScope?: RequestScope;
}

/** The neighbour an adapter talks to, named for its errors. */
export const neighbourAt = (service: string, serviceId: string, { serviceToken, ...endpoint }: NeighbourEndpoint): Neighbour => ({
  service,
  serviceId,
  bearer: serviceToken,
  ...endpoint,
});

export type QueryValue = string | number | boolean | null | undefined;

export const upstreamError = (neighbour: Neighbour, reason: string, details: Record<string, unknown> = {}, cause?: unknown) =>
  new AppError("UPSTREAM_ERROR", `${neighbour.service} ${reason}`, { service: neighbour.serviceId, ...details }, cause === undefined ? undefined : { cause });

/** A non-2xx answer. */
export const statusError = (neighbour: Neighbour, status: number) =>
  upstreamError(neighbour, `failed (status ${status})`, { upstream_status: status });

const timeoutError = (neighbour: Neighbour) =>
  new AppError("UPSTREAM_TIMEOUT", `${neighbour.service} did not answer within ${neighbour.timeoutMs} ms`, { service: neighbour.serviceId });

/** §9 headers of every call: who calls, for which request, with which credential. */
function neighbourHeaders(neighbour: Neighbour, call: NeighbourCall, extra: Record<string, string>): Record<string, string> {
  return {
    "X-Service": "curriculum-orchestrator",
    "X-Request-ID": call.requestId,
    ...(neighbour.bearer ? { Authorization: `Bearer ${neighbour.bearer}` } : {}),
    ...extra,
  };
}

/**
 * Encodes one path segment (an id) for a neighbour URL. Returns null for values no URL can
 * address as a segment ("" would name the collection, "." and ".." are resolved away by
 * URL parsing even when percent-encoded): callers treat those as unknown ids.
 */
export function encodePathSegment(value: string): string | null {
  if (value === "" || value === "." || value === "..") return null;
  return encodeURIComponent(value);
}

/** The neighbour's base URL joined with `path`; unset, null and empty query values are not sent. */
export function neighbourUrl(neighbour: Neighbour, path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.append(key, String(value));
  }
  const search = params.toString();
  return `${neighbour.baseUrl.replace(/\/+$/, "")}${path.startsWith("/") ? path : `/${path}`}${search ? `?${search}` : ""}`;
}

/**
 * One logical call, its retries included: the request id it carries, and its bound (the
 * neighbour's budget and the caller's signal, whichever ends first).
 */
export interface NeighbourCall {
  readonly requestId: string;
  readonly signal: AbortSignal;
  /** Why the call was interrupted: the caller's abort reason, UPSTREAM_TIMEOUT, or undefined while it runs. */
  interruption(): unknown;
  /** Must be called when the call is over (its body read or abandoned). */
  clear(): void;
}

export function startCall(neighbour: Neighbour, callerSignal?: AbortSignal): NeighbourCall {
  const timer = new AbortController();
  const timeout =
    neighbour.timeoutMs === undefined ? undefined : setTimeout(() => timer.abort(new Error("neighbour call timed out")), neighbour.timeoutMs);
  return {
    requestId: requestIdOrNew(neighbour.requestScope?.currentRequestId()),
    signal: callerSignal ? AbortSignal.any([callerSignal, timer.signal]) : timer.signal,
    interruption: () => (callerSignal?.aborted ? callerSignal.reason : timer.signal.aborted ? timeoutError(neighbour) : undefined),
    clear: () => clearTimeout(timeout),
  };
}

export interface NeighbourRequest {
  method: "GET" | "POST";
  url: string;
  /** Serialised as JSON when set. */
  body?: unknown;
  accept: "application/json" | "text/event-stream";
}

/**
 * One request and its answer, whatever the status: a 2xx or not is the caller's to judge.
 * JSON answers come back with their body read as text (`_data`); event streams unread.
 * No answer → UPSTREAM_ERROR; an interrupted call rejects with its interruption.
 */
export async function exchange(neighbour: Neighbour, call: NeighbourCall, request: NeighbourRequest) {
  const hasBody = request.body !== undefined;
  try {
    return await ofetch.raw<unknown, "text" | "stream">(request.url, {
      method: request.method,
      headers: neighbourHeaders(neighbour, call, { Accept: request.accept, ...(hasBody ? { "Content-Type": "application/json" } : {}) }),
      body: hasBody ? JSON.stringify(request.body) : undefined,
      signal: call.signal,
      retry: false,
      responseType: request.accept === "text/event-stream" ? "stream" : "text",
      ignoreResponseError: true,
    });
  } catch (error) {
    throw call.interruption() ?? upstreamError(neighbour, "failed (no response)", {}, error);
  }
}

/** A neighbour's JSON payload checked against its schema, or UPSTREAM_ERROR. */
export function parseAs<S extends z.ZodType>(neighbour: Neighbour, text: unknown, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(typeof text === "string" ? text : "");
  } catch {
    // The parser's message quotes the body: keep it out of the error chain.
    throw upstreamError(neighbour, "returned an unexpected response", {}, new Error("response body is not JSON"));
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw upstreamError(neighbour, "returned an unexpected response", {}, parsed.error);
  return parsed.data;
}
