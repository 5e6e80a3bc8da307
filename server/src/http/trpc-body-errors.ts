import type { NextFunction, Request, Response } from "express";
import { isAppError, type AppError } from "../errors/app-error.js";
import { bodyParserAppError } from "./body-errors.js";

const BODY_ERROR = "bodyError";

/**
 * On `/trpc`, a body the JSON parser or the body guards refused is not answered here in the
 * REST envelope, which a tRPC client cannot read ("Unable to transform response from server"):
 * the error is kept and the request goes on to tRPC (see `passDeferredBodyError`), which answers it in
 * its own error shape (message, `data.app_code`, `data.details`) through the one error formatter.
 */
export function deferBodyErrorToTrpc(error: unknown, req: Request, res: Response, next: NextFunction) {
  const refusal = bodyParserAppError(error, req.headers) ?? (isAppError(error) ? error : undefined);
  if (!refusal) return next(error);
  res.locals[BODY_ERROR] = refusal;
  req.body = {};
  next();
}

/**
 * tRPC's own `middleware` hook: an error it passes to `next` fails every call of the request
 * before tRPC looks at paths or methods, as a refused body did before tRPC was reached.
 */
export function passDeferredBodyError(_req: Request, res: Response, next: (error?: unknown) => void): void {
  next(res.locals[BODY_ERROR] as AppError | undefined);
}

/** Whether a refused body waits for tRPC to answer it (the `/trpc` fast path leaves those to the adapter). */
export function hasDeferredBodyError(res: Response): boolean {
  return res.locals[BODY_ERROR] !== undefined;
}
