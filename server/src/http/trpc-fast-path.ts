import type { IncomingHttpHeaders } from "node:http";
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  transformTRPCResponse,
  TRPCError,
  type AnyTRPCProcedure,
  type AnyTRPCRouter,
} from "@trpc/server";
import { getHTTPStatusCode } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY, type TRPCResponse } from "@trpc/server/rpc";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { hasDeferredBodyError } from "./trpc-body-errors.js";

type CallType = "query" | "mutation";

/** What the official adapter's `responseMeta` is given, less `info` (the fast path builds no fetch request). */
export interface FastPathResponseMetaOptions<TContext> {
  ctx: TContext | undefined;
  paths: string[];
  type: CallType;
  data: TRPCResponse[];
  errors: TRPCError[];
  eagerGeneration: false;
}

export interface FastPathErrorOptions<TContext> {
  error: TRPCError;
  path: string | undefined;
  input: unknown;
  ctx: TContext | undefined;
  type: CallType | "unknown";
  req: Request;
}

export interface TrpcFastPathOptions<TContext> {
  router: AnyTRPCRouter;
  /** The adapter's own context factory: called once per HTTP request, as tRPC does. */
  createContext(opts: { req: Request; res: Response; info: { connectionParams: null } }): TContext | Promise<TContext>;
  responseMeta?(opts: FastPathResponseMetaOptions<TContext>): { headers?: Record<string, string | string[] | undefined>; status?: number };
  onError?(opts: FastPathErrorOptions<TContext>): void;
}

interface Call {
  path: string;
  input: unknown;
}

/** A request the fast path answers: every call is a procedure of `type`, its input already decoded. */
interface Plan {
  batch: boolean;
  type: CallType;
  calls: Call[];
}

type Outcome = { error: TRPCError; data?: undefined } | { error?: undefined; data: unknown };

/** What the adapter answers when an error cannot be formatted. */
const FALLBACK_ERROR_SHAPE = {
  code: TRPC_ERROR_CODES_BY_KEY.INTERNAL_SERVER_ERROR,
  message: "Internal server error",
  data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 },
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** A Host the adapter's `new URL(…)` is sure to accept: anything else is left to it (it answers 400). */
const PLAIN_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** `application/json`, as tRPC compares media types (case-insensitive, parameters ignored). */
function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.split(";", 1)[0]!.trim().toLowerCase() === "application/json";
}

/** A request for jsonl streaming, as tRPC reads it: any `trpc-accept`, or `application/jsonl` among `accept`. */
function wantsStreaming(headers: IncomingHttpHeaders): boolean {
  return headers["trpc-accept"] !== undefined || (headers.accept?.split(",").some((type) => type.trim() === "application/jsonl") ?? false);
}

/** `batch` and `input` as tRPC's `URLSearchParams` reads them; undefined when the query is unusual (repeated keys, connection params, a fragment). */
function queryOf(url: string): { batch?: string; input?: string } | undefined {
  const start = url.indexOf("?");
  const query: { batch?: string; input?: string } = {};
  if (start === -1) return query;
  if (url.includes("#", start)) return undefined;
  for (const [key, value] of new URLSearchParams(url.slice(start + 1))) {
    if (key === "connectionParams") return undefined;
    if (key !== "batch" && key !== "input") continue;
    if (query[key] !== undefined) return undefined;
    query[key] = value;
  }
  return query;
}

/**
 * Decides, without running anything, whether the fast path answers this request exactly as the
 * adapter would; undefined sends it on to the adapter.
 */
function planOf(router: AnyTRPCRouter, req: Request, res: Response): Plan | undefined {
  const type: CallType | undefined = req.method === "GET" ? "query" : req.method === "POST" ? "mutation" : undefined;
  if (!type || hasDeferredBodyError(res) || wantsStreaming(req.headers)) return undefined;
  const contentType = req.headers["content-type"];
  // tRPC reads a POST as JSON only when it says so; a GET of another type (multipart, octet) is the adapter's to judge.
  if (type === "mutation" ? !isJson(contentType) : contentType !== undefined && !isJson(contentType)) return undefined;
  const host = req.headers.host;
  if (host !== undefined && !PLAIN_HOST.test(host)) return undefined;

  const path = req.path;
  if (path.length < 2 || path.indexOf("/", 1) !== -1 || path.includes("%")) return undefined;
  const query = queryOf(req.url);
  if (!query || (query.batch !== undefined && query.batch !== "1")) return undefined;
  const batch = query.batch === "1";
  const paths = batch ? path.slice(1).split(",") : [path.slice(1)];
  const procedures = router._def.procedures as Record<string, AnyTRPCProcedure | undefined>;
  for (const name of paths) {
    if (!Object.hasOwn(procedures, name) || procedures[name]?._def.type !== type) return undefined;
  }

  let raw: unknown;
  if (type === "query") {
    if (query.input) {
      try {
        raw = JSON.parse(query.input);
      } catch {
        return undefined;
      }
    }
  } else {
    raw = req.body;
    if (raw === undefined) return undefined;
  }
  const deserialize = router._def._config.transformer.input.deserialize;
  const calls: Call[] = paths.map((name) => ({ path: name, input: undefined }));
  if (raw === undefined) return { batch, type, calls };
  if (!isObject(raw)) return undefined;
  try {
    if (!batch) calls[0]!.input = deserialize(raw);
    else {
      for (const [index, call] of calls.entries()) {
        const item = raw[index];
        if (item === undefined) continue;
        if (!isObject(item)) return undefined;
        call.input = deserialize(item);
      }
    }
  } catch {
    return undefined;
  }
  return { batch, type, calls };
}

const isPromiseLike = (value: unknown) =>
  (isObject(value) || typeof value === "function") && typeof (value as { then?: unknown }).then === "function" && typeof (value as { catch?: unknown }).catch === "function";
const isAsyncIterable = (value: unknown) => isObject(value) && Symbol.asyncIterator in value;

const streamingOnlyError = () =>
  new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink" });

/** tRPC's test for output that only a streaming response can carry. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromiseLike) || values.some(isAsyncIterable);
}

/**
 * One request being answered. Helpers are module functions over this state rather than
 * closures made per request: tsx names every such closure with a property write, on the hot path.
 */
interface Exchange<TContext> {
  options: TrpcFastPathOptions<TContext>;
  plan: Plan;
  paths: string[];
  ctx: TContext;
  req: Request;
  res: Response;
  headers: Map<string, string[]>;
  /** tRPC decodes a request's inputs once, when the first call asks; errors report inputs only after that. */
  inputRead: boolean;
}

const inputOf = (exchange: Exchange<unknown>, call: Call | undefined) => (exchange.inputRead ? call?.input : undefined);

function errorItem<TContext>(exchange: Exchange<TContext>, error: TRPCError, call: Call | undefined): TRPCResponse {
  const { options, ctx, plan } = exchange;
  return { error: getTRPCErrorShape({ config: options.router._def._config, ctx, error, input: inputOf(exchange, call), path: call?.path, type: plan.type }) };
}

function rawInputOf(exchange: Exchange<unknown>, call: Call): () => Promise<unknown> {
  return async () => {
    exchange.inputRead = true;
    return call.input;
  };
}

async function runCall<TContext>(exchange: Exchange<TContext>, call: Call, batchIndex: number): Promise<Outcome> {
  const { options, plan, ctx } = exchange;
  try {
    const data: unknown = await callTRPCProcedure({
      router: options.router,
      path: call.path,
      type: plan.type,
      ctx,
      signal: undefined,
      batchIndex,
      getRawInput: rawInputOf(exchange, call),
    });
    return { data };
  } catch (cause) {
    const error = getTRPCErrorFromUnknown(cause);
    options.onError?.({ error, path: call.path, input: inputOf(exchange, call), ctx, type: plan.type, req: exchange.req });
    return { error };
  }
}

/** The status tRPC derives from the items (one status, or 207), then `responseMeta`'s headers and status. */
function statusWithMeta<TContext>(exchange: Exchange<TContext>, data: TRPCResponse[], errors: (TRPCError | undefined)[]): number {
  const { options, ctx, paths, plan, headers } = exchange;
  let status = getHTTPStatusCode(data, errors);
  const definedErrors: TRPCError[] = [];
  for (const error of errors) if (error) definedErrors.push(error);
  const meta = options.responseMeta?.({ ctx, paths, type: plan.type, data, errors: definedErrors, eagerGeneration: false }) ?? {};
  if (meta.headers) {
    for (const [name, value] of Object.entries(meta.headers)) {
      const key = name.toLowerCase();
      if (Array.isArray(value)) headers.set(key, [...(headers.get(key) ?? []), ...value]);
      else if (typeof value === "string") headers.set(key, [value]);
    }
  }
  if (meta.status) status = meta.status;
  return status;
}

/** As the adapter's writeResponse, but the whole body in one `res.end` (one socket write). */
function send(exchange: Exchange<unknown>, status: number, body: string): void {
  const { res, headers } = exchange;
  if (res.statusCode === 200) res.statusCode = status;
  for (const [name, values] of headers) if (name !== "set-cookie") res.setHeader(name, values.join(", "));
  const cookies = headers.get("set-cookie");
  if (cookies?.length) res.setHeader("set-cookie", cookies);
  res.end(body);
}

async function answer<TContext>(exchange: Exchange<TContext>): Promise<void> {
  const { options, plan } = exchange;
  const config = options.router._def._config;
  try {
    const pending: Promise<Outcome>[] = [];
    for (const [index, call] of plan.calls.entries()) pending.push(runCall(exchange, call, index));
    const outcomes = await Promise.all(pending);
    const errors: (TRPCError | undefined)[] = [];
    for (const outcome of outcomes) errors.push(outcome.error ?? (isDataStream(outcome.data) ? streamingOnlyError() : undefined));
    // A single call's stream-like output fails the request as a whole, a batch's only its item.
    if (!plan.batch && outcomes[0]!.error === undefined && errors[0]) throw errors[0];
    const items: TRPCResponse[] = [];
    for (const [index, outcome] of outcomes.entries()) {
      const error = errors[index];
      items.push(error ? errorItem(exchange, error, plan.calls[index]) : { result: { data: outcome.data } });
    }
    const status = statusWithMeta(exchange, items, errors);
    send(exchange, status, JSON.stringify(transformTRPCResponse(config, plan.batch ? items : items[0]!)));
  } catch (cause) {
    // As the adapter's last resort: one error for the whole request, with no path or input.
    const error = getTRPCErrorFromUnknown(cause);
    options.onError?.({ error, path: undefined, input: undefined, ctx: exchange.ctx, type: plan.type, req: exchange.req });
    const item = errorItem(exchange, error, undefined);
    const status = statusWithMeta(exchange, [item], [error]);
    send(exchange, status, JSON.stringify(transformTRPCResponse(config, item)));
  }
}

/**
 * The common `/trpc` calls answered without the official adapter's fetch `Request`/`Response`
 * round trip: a `GET` of queries or a `POST` of mutations, single or batched (`?batch=1`), with
 * superjson-encoded JSON input. Each call runs through `callTRPCProcedure` with one context per
 * request, batch calls concurrently, and the answer (body bytes, status with 207 for mixed
 * batches, `content-type`, `vary`, `responseMeta` headers, `onError` calls) is the adapter's,
 * written in one `res.end`, so with a Content-Length where the adapter streams it chunked.
 * Anything else (streaming, subscriptions, unknown paths, a method that does not fit, unusual
 * batch or input, a deferred body error) goes to `next()`, to the adapter, before any procedure
 * runs. Calls get no abort signal: only subscriptions, which never come here, read one.
 */
export function trpcFastPath<TContext>(options: TrpcFastPathOptions<TContext>): RequestHandler {
  const { router } = options;
  return async (req: Request, res: Response, next: NextFunction) => {
    const plan = planOf(router, req, res);
    if (!plan) return next();
    let ctx: TContext;
    try {
      ctx = await options.createContext({ req, res, info: { connectionParams: null } });
    } catch {
      return next();
    }
    const headers = new Map([
      ["vary", ["trpc-accept, accept"]],
      ["content-type", ["application/json"]],
    ]);
    const paths: string[] = [];
    for (const call of plan.calls) paths.push(call.path);
    const exchange: Exchange<TContext> = { options, plan, paths, ctx, req, res, headers, inputRead: false };
    try {
      await answer(exchange);
    } catch (cause) {
      // The error formatter itself failed: the adapter's fallback, which says nothing of the error.
      options.onError?.({ error: getTRPCErrorFromUnknown(cause), path: undefined, input: undefined, ctx: undefined, type: "unknown", req });
      if (res.headersSent) return void res.end();
      res.statusCode = 500;
      res.end(JSON.stringify(transformTRPCResponse(router._def._config, { error: FALLBACK_ERROR_SHAPE })));
    }
  };
}
