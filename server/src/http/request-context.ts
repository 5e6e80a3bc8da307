import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { requestIdOrNew, type RequestScope } from "../request-scope.js";

/**
 * Echoes a sane `X-Request-ID` or makes one, and gives the request a child logger
 * carrying it, so every log line of the request names it. Logs the path, never the
 * query string (stream tokens travel there). The rest of the request runs in `scope`, so
 * neighbour calls made for it carry the same id.
 */
export function requestContext(logger: Logger, scope: RequestScope) {
  return (req: Request, res: Response, next: NextFunction) => {
    const requestId = requestIdOrNew(req.header("x-request-id"));
    res.setHeader("X-Request-ID", requestId);
    const log = logger.child({ request_id: requestId });
    res.locals.requestId = requestId;
    res.locals.log = log;
    const started = performance.now();
    res.on("finish", () => {
      log.info(
        { method: req.method, path: req.path, status: res.statusCode, duration_ms: Math.round(performance.now() - started) },
        "request completed",
      );
    });
    scope.run(requestId, next);
  };
}

export const requestLog = (res: Response): Logger => res.locals.log as Logger;
