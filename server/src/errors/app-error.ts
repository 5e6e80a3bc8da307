import type { ErrorCode } from "@co/shared";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";

/**
 * The one table of §5 error codes: each code's HTTP status and the tRPC code that carries it.
 * Everything else (REST status, tRPC's `error.data.code`, the OpenAPI error responses, what a
 * framework error means) is derived from here.
 */
export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { status: 401, trpc: "UNAUTHORIZED" },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND" },
  CONFLICT: { status: 409, trpc: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  RATE_LIMITED: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  MAX_STREAMS: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  UPSTREAM_ERROR: { status: 502, trpc: "BAD_GATEWAY" },
  UPSTREAM_TIMEOUT: { status: 504, trpc: "GATEWAY_TIMEOUT" },
  UNAVAILABLE: { status: 503, trpc: "SERVICE_UNAVAILABLE" },
  INTERNAL: { status: 500, trpc: "INTERNAL_SERVER_ERROR" },
} as const satisfies Record<ErrorCode, { status: number; trpc: TRPC_ERROR_CODE_KEY }>;

export const httpStatusOf = (code: ErrorCode): number => ERROR_CODES[code].status;
export const trpcCodeOf = (code: ErrorCode): TRPC_ERROR_CODE_KEY => ERROR_CODES[code].trpc;

/**
 * The §5 code of an error tRPC itself raised (a bad batch, an unknown path, a body it could not
 * parse): the first code carried by that tRPC code, so the table above stays the only mapping.
 * Codes no §5 code carries are the caller's mistakes, except FORBIDDEN, which never reveals
 * existence (§5: another user's data is a 404).
 */
export function appCodeOfTrpc(trpcCode: string): ErrorCode {
  if (trpcCode === "FORBIDDEN") return "NOT_FOUND";
  const entry = (Object.entries(ERROR_CODES) as [ErrorCode, (typeof ERROR_CODES)[ErrorCode]][]).find(([, value]) => value.trpc === trpcCode);
  return entry ? entry[0] : "VALIDATION_ERROR";
}

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
    return httpStatusOf(this.code);
  }

  static notFound(what: string): AppError {
    return new AppError("NOT_FOUND", `${what} not found`);
  }

  static conflict(message: string, details: Record<string, unknown> = {}): AppError {
    return new AppError("CONFLICT", message, details);
  }

  /** A body sent as something other than JSON; `contentType` is the request's header, if it had one. */
  static unsupportedMediaType(contentType: string | undefined): AppError {
    const mediaType = contentType?.split(";")[0]?.trim().slice(0, 100);
    const said = mediaType ? `Content-Type \`${mediaType}\` is not accepted` : "The request has no Content-Type";
    return new AppError("UNSUPPORTED_MEDIA_TYPE", `${said}: send \`Content-Type: application/json\` with a JSON body`, {
      content_type: contentType ?? null,
    });
  }

  static validation(message: string, issues: { path: string; message: string }[] = []): AppError {
    return new AppError("VALIDATION_ERROR", message, { issues });
  }
}

export const isAppError = (value: unknown): value is AppError => value instanceof AppError;
