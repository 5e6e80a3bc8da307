import type { NextFunction, Request, Response } from "express";
import { describeError } from "../errors/describe-error.js";

/**
 * Seconds a caller should wait, from an UNAVAILABLE error whose details name `retry_after`
 * (the evaluator's full queue says so). Services cannot set headers; this reads it on the way out.
 */
export function retryAfterOf(errors: readonly unknown[]): number | undefined {
  for (const error of errors) {
    const described = describeError(error);
    const seconds = described.details.retry_after;
    if (described.code === "UNAVAILABLE" && typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0) return Math.ceil(seconds);
  }
  return undefined;
}

/** `responseMeta` of the `/trpc` handler: the `Retry-After` of a call that was refused for now. */
export function retryAfterMeta({ errors }: { errors: readonly unknown[] }): { headers?: Record<string, string> } {
  const seconds = retryAfterOf(errors);
  return seconds === undefined ? {} : { headers: { "Retry-After": String(seconds) } };
}

/**
 * The same on `/v1`: a 503 whose §5 envelope names `details.retry_after` gets `Retry-After`.
 * Mounted before the envelope rewrite, so it sees the final body.
 */
export function retryAfterFromEnvelope(_req: Request, res: Response, next: NextFunction): void {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (res.statusCode === 503 && !res.headersSent && !res.hasHeader("Retry-After")) {
      const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
      try {
        const body = JSON.parse(text) as { error?: { code?: unknown; details?: { retry_after?: unknown } } };
        const seconds = body.error?.details?.retry_after;
        if (body.error?.code === "UNAVAILABLE" && typeof seconds === "number" && seconds > 0) res.setHeader("Retry-After", String(Math.ceil(seconds)));
      } catch {
        // Not an envelope: nothing to add.
      }
    }
    return end(chunk, ...rest);
  }) as Response["end"];
  next();
}
