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
