import { createHash } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { AppDeps } from "../app-deps.js";
import { AppError } from "../errors/app-error.js";
import { describeError } from "../errors/describe-error.js";
import { createHttpContextFactory } from "../trpc/context.js";
import { sendError } from "./error-envelope.js";
import { requestLog } from "./request-context.js";
import { restRoutes, type RestRoute } from "./rest-routes.js";

export { jsonBodyProcedures, successStatuses } from "./rest-routes.js";

/** A minute of freshness, then revalidation with the ETag. */
const CATALOG_CACHE_CONTROL = "private, max-age=60, must-revalidate";

/** Method → routes, literal paths before parameterised ones (`/study-tasks/next` before `/study-tasks/{id}`). */
function routeTable(): Map<string, RestRoute[]> {
  const table = new Map<string, RestRoute[]>();
  const literalFirst = [...restRoutes()].sort((a, b) => Number(a.pattern.source.includes("(?<")) - Number(b.pattern.source.includes("(?<")));
  for (const route of literalFirst) table.set(route.method, [...(table.get(route.method) ?? []), route]);
  return table;
}

function pathParams(groups: Record<string, string> | undefined): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(groups ?? {})) {
    try {
      params[key] = decodeURIComponent(value);
    } catch {
      params[key] = value;
    }
  }
  return params;
}

/**
 * Express parses the query string (repeated keys become lists); a key given once is a value, and an
 * empty value counts as absent.
 */
function queryInput(query: Request["query"]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    if (value === "" || value === undefined) continue;
    input[key] = Array.isArray(value) && value.length === 1 ? value[0] : value;
  }
  return input;
}

/**
 * Catalog content is the same for every caller until content changes: a strong ETag (a hash of
 * the exact bytes) lets a client revalidate for free, and `private` keeps shared caches out,
 * since the request carried credentials. Answers 304 (and true) when the client has these bytes.
 */
function sendCatalogValidators(req: Request, res: Response, body: string): boolean {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
  res.setHeader("ETag", etag);
  res.setHeader("Cache-Control", CATALOG_CACHE_CONTROL);
  const ifNoneMatch = req.headers["if-none-match"];
  if (!ifNoneMatch) return false;
  const matches = ifNoneMatch.trim() === "*" || ifNoneMatch.split(",").some((tag) => tag.trim() === etag);
  if (!matches) return false;
  res.statusCode = 304;
  res.removeHeader("Content-Type");
  res.end();
  return true;
}

/**
 * The REST face of the router: each procedure with an `openapi` path in its meta answers on that
 * path, with the same context, middleware (the request gate), input and output validation as on
 * `/trpc`. Success writes the procedure's output as JSON with its declared status; failure writes
 * the §5 envelope, described once by `describeError`. Mounted under `/v1`, and at the root for
 * `/health`.
 */
export function createRestHandler(deps: AppDeps) {
  const table = routeTable();
  const createContext = createHttpContextFactory(deps);

  return async (req: Request, res: Response, next: NextFunction) => {
    const routes = table.get(req.method);
    let route: RestRoute | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of routes ?? []) {
      match = candidate.pattern.exec(req.path);
      if (match) {
        route = candidate;
        break;
      }
    }
    if (!route) return next();

    // A POST without a body (no length, or length 0) carries nothing to type: it is the empty
    // object, and the input schema says what is missing. Only a body must be JSON.
    if (route.jsonBody && carriesBody(req) && !req.is("application/json")) {
      return sendError(res, describeError(AppError.unsupportedMediaType(req.headers["content-type"])));
    }
    const ctx = createContext({ req, res });
    try {
      let input: unknown;
      if (route.takesInput) {
        const params = pathParams(match!.groups);
        if (route.jsonBody) {
          input = { ...((req.body as Record<string, unknown> | undefined) ?? {}), ...params };
        } else {
          input = route.coerceQuery({ ...queryInput(req.query), ...params });
        }
      }
      const data = await route.procedure({ ctx, getRawInput: async () => input, path: route.procedurePath, type: route.type, signal: undefined, batchIndex: 0 });
      const body = JSON.stringify(data);
      res.setHeader("Content-Type", "application/json");
      if (route.catalog && sendCatalogValidators(req, res, body)) return;
      res.statusCode = ctx.response.status ?? route.successStatus;
      res.end(body);
    } catch (error) {
      const described = describeError(error);
      if (described.code === "INTERNAL") (requestLog(res) ?? deps.logger).error({ err: error, path: route.procedurePath }, "procedure failed");
      sendError(res, described);
    }
  };
}

/** Whether the request has a body of at least one byte (chunked counts, whatever it holds). */
function carriesBody(req: Request): boolean {
  if (req.headers["transfer-encoding"] !== undefined) return true;
  const length = Number(req.headers["content-length"]);
  return Number.isFinite(length) && length > 0;
}
