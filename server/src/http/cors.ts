import type { NextFunction, Request, Response } from "express";

const ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, X-Request-ID, Last-Event-ID, trpc-accept";
const EXPOSED_HEADERS = "X-Request-ID, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After";

/** CORS for the configured origins only; other origins get no CORS headers at all. */
export function cors(allowedOrigins: string[]) {
  const allowed = new Set(allowedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.header("origin");
    res.vary("Origin");
    if (origin && allowed.has(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
      if (req.method === "OPTIONS") {
        res.setHeader("Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, OPTIONS");
        res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        res.setHeader("Access-Control-Max-Age", "600");
      }
    }
    if (req.method === "OPTIONS" && req.header("access-control-request-method")) {
      res.status(204).end();
      return;
    }
    next();
  };
}
