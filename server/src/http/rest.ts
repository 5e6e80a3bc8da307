import type { NextFunction, Request, Response } from "express";
import { createOpenApiNodeHttpHandler } from "trpc-to-openapi";
import type { AppDeps } from "../app-deps.js";
import { appRouter, type AppRouter } from "../trpc/app-router.js";
import { createHttpContextFactory, type Context } from "../trpc/context.js";
import type { ProcedureMeta } from "../trpc/init.js";

/** Procedure path → its declared REST success status (201, 202). */
export function successStatuses(): Map<string, number> {
  const statuses = new Map<string, number>();
  for (const [path, procedure] of Object.entries(appRouter._def.procedures)) {
    const meta = (procedure as unknown as { _def: { meta?: ProcedureMeta } })._def.meta;
    if (meta?.successStatus) statuses.set(path, meta.successStatus);
  }
  return statuses;
}

/**
 * The REST face of the router (trpc-to-openapi). Mounted twice: under `/v1` for the
 * public API and at the root for the `/health` paths.
 */
export function createRestHandler(deps: AppDeps) {
  const statuses = successStatuses();
  const handler = createOpenApiNodeHttpHandler<AppRouter, Request, Response>({
    router: appRouter,
    createContext: createHttpContextFactory(deps),
    responseMeta: ({ ctx, errors, paths }) => {
      if (errors.length > 0) return {};
      const status = (ctx as Context | undefined)?.response.status ?? statuses.get(paths?.[0] ?? "");
      return status ? { status } : {};
    },
  });
  return (req: Request, res: Response, next: NextFunction) => handler(req, res, next);
}
