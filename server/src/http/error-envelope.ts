import type { ErrorEnvelope } from "@co/shared";
import type { NextFunction, Request, Response } from "express";
import { describeError, type DescribedError } from "../errors/describe-error.js";
import { bodyParserAppError } from "./body-errors.js";
import { requestLog } from "./request-context.js";

export const envelopeOf = (error: DescribedError): ErrorEnvelope => ({
  error: { code: error.code, message: error.message, details: error.details },
});

/**
 * The one place a REST error is written: the §5 envelope with the error's status, and
 * `Retry-After` when the error says how long to wait (a full evaluator queue).
 */
export function sendError(res: Response, error: DescribedError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const seconds = error.details.retry_after;
  if (error.code === "UNAVAILABLE" && typeof seconds === "number" && seconds > 0 && !res.hasHeader("Retry-After")) {
    res.setHeader("Retry-After", String(Math.ceil(seconds)));
  }
  res.status(error.status).json(envelopeOf(error));
}

/** Unknown paths → 404 in the envelope. */
export function notFoundHandler(req: Request, res: Response) {
  sendError(res, { code: "NOT_FOUND", status: 404, message: `No route for ${req.method} ${req.path}`, details: {} });
}

/** Last handler: body-parser failures become 400/413/415; anything else a masked 500. */
export function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction) {
  const described = describeError(bodyParserAppError(error, req.headers) ?? error);
  if (described.code === "INTERNAL") requestLog(res)?.error({ err: error }, "unhandled error");
  sendError(res, described);
}
