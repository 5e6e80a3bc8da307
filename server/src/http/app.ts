import { createExpressMiddleware } from "@trpc/server/adapters/express";
import type { TRPCError } from "@trpc/server";
import express, { type Express, type Request } from "express";
import type { Logger } from "pino";
import type { AppDeps } from "../app-deps.js";
import { describeError } from "../errors/describe-error.js";
import { appRouter } from "../trpc/app-router.js";
import { createHttpContextFactory, type Context } from "../trpc/context.js";
import { cors } from "./cors.js";
import { mountDocs } from "./docs.js";
import { errorHandler, notFoundHandler } from "./error-envelope.js";
import { requestContext } from "./request-context.js";
import { createRestHandler } from "./rest.js";
import { retryAfterMeta } from "./retry-after.js";
import { tutorStreamOpenApiPaths } from "./tutor-stream.openapi.js";
import { TUTOR_STREAM_PATH, tutorStreamRoute } from "./tutor-stream.route.js";
import { emptyBodyAsJson } from "./empty-body.js";
import { rejectDeepJson, rejectUnparsableTrpcInput, undecodableBody } from "./body-guards.js";
import { deferBodyErrorToTrpc, passDeferredBodyError } from "./trpc-body-errors.js";
import { trpcFastPath } from "./trpc-fast-path.js";
import { studyExportOpenApiPaths } from "./study-export.openapi.js";
import { STUDY_EXPORT_PATH, studyExportRoute } from "./study-export.route.js";

export const BODY_LIMIT = "256kb";

export interface AppOptions {
  /**
   * Whether `/trpc` answers its common calls itself before the official adapter (default on);
   * off, every call goes through the adapter, as the differential test compares.
   */
  trpcFastPath?: boolean;
}

/**
 * The `onError` of both `/trpc` handlers: every internal failure is logged once, with the
 * request's logger (and so its id).
 */
function logInternalTrpcFailure(logger: Logger) {
  return ({ error, path, ctx, req }: { error: TRPCError; path: string | undefined; ctx?: Context | undefined; req: Request }) => {
    if (describeError(error).code !== "INTERNAL") return;
    const log = ctx?.log ?? (req.res?.locals.log as Logger | undefined) ?? logger;
    log.error({ err: error.cause ?? error, path }, ctx ? "procedure failed" : "trpc call failed");
  };
}

/**
 * The Express app: request ids and logs, CORS, body limits, `/trpc`, `/v1` REST,
 * `/health`, docs and panel. It takes every dependency; it creates none.
 */
export function createApp(deps: AppDeps, options: AppOptions = {}): Express {
  const app = express();
  app.disable("x-powered-by");
  // Validators are the catalog's own strong ETags; Express's weak ones on every body would
  // make error envelopes look cacheable.
  app.set("etag", false);
  app.set("query parser", "extended");
  // Behind a load balancer req.ip is the proxy's unless it is trusted to say who called.
  app.set("trust proxy", deps.config.trustProxy);

  app.use(requestContext(deps.logger, deps.requestScope));
  app.use(cors(deps.config.corsOrigins));
  app.use(express.json({ limit: BODY_LIMIT }), undecodableBody, rejectDeepJson);

  const rest = createRestHandler(deps);
  app.get(["/health", "/health/ready"], rest);

  const createContext = createHttpContextFactory(deps);
  const onError = logInternalTrpcFailure(deps.logger);
  app.use("/trpc", rejectUnparsableTrpcInput, deferBodyErrorToTrpc);
  // Plain query and mutation calls are answered here in one write; the rest reaches the adapter untouched.
  if (options.trpcFastPath ?? true) app.use("/trpc", trpcFastPath({ router: appRouter, createContext, responseMeta: retryAfterMeta, onError }));
  app.use(
    "/trpc",
    createExpressMiddleware({
      router: appRouter,
      createContext,
      middleware: passDeferredBodyError,
      maxBodySize: 256 * 1024,
      responseMeta: retryAfterMeta,
      onError,
    }),
  );

  // Server-Sent Events, not JSON: beside the REST adapter, before it sees the path.
  app.get(TUTOR_STREAM_PATH, tutorStreamRoute(deps));
  // CSV or JSON, streamed: also beside the adapter.
  app.get(STUDY_EXPORT_PATH, studyExportRoute(deps));

  app.use("/v1", emptyBodyAsJson);
  app.use("/v1", (req, res, next) => (req.path.startsWith("/health") ? next() : rest(req, res, next)));

  mountDocs(app, deps, () => ({ ...tutorStreamOpenApiPaths, ...studyExportOpenApiPaths }));

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
