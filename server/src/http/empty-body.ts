import type { NextFunction, Request, Response } from "express";

/**
 * A POST that carries no body at all (`curl -X POST …/v1/study-tasks/{id}/start`) reaches
 * the REST adapter as an empty JSON object: the adapter otherwise refuses any body-less
 * POST with 415 for want of a JSON content type.
 */
export function emptyBodyAsJson(req: Request, _res: Response, next: NextFunction) {
  const hasBody = req.headers["transfer-encoding"] !== undefined || (req.headers["content-length"] ?? "0") !== "0";
  if (req.method === "POST" && !hasBody && req.headers["content-type"] === undefined) {
    req.headers["content-type"] = "application/json";
    req.body = {};
  }
  next();
}
