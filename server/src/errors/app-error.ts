import type { ErrorCode } from "@co/shared";

/** HTTP status of each §5 error code: the one table REST, tRPC and docs agree on. */
export const httpStatusOf: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  MAX_STREAMS: 429,
  UPSTREAM_ERROR: 502,
  UPSTREAM_TIMEOUT: 504,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

/**
 * The one error type services throw. Its message is shown to the caller as is,
 * so it must never carry internals; put machine-readable facts in `details`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return httpStatusOf[this.code];
  }

  static notFound(what: string): AppError {
    return new AppError("NOT_FOUND", `${what} not found`);
  }

  static conflict(message: string, details: Record<string, unknown> = {}): AppError {
    return new AppError("CONFLICT", message, details);
  }

  static validation(message: string, issues: { path: string; message: string }[] = []): AppError {
    return new AppError("VALIDATION_ERROR", message, { issues });
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;
