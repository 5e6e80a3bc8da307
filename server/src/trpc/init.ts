import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { describeError } from "../errors/describe-error.js";
import type { Context } from "./context.js";

export interface ProcedureMeta extends OpenApiMeta {
  /** REST status of a successful call (201, 202); tRPC always answers 200. */
  successStatus?: number;
}

const trpcCodeOf = {
  VALIDATION_ERROR: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  MAX_STREAMS: "TOO_MANY_REQUESTS",
  UPSTREAM_ERROR: "BAD_GATEWAY",
  UPSTREAM_TIMEOUT: "GATEWAY_TIMEOUT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
} as const;

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    transformer: superjson,
    // Keep-alive comments on idle subscriptions (§8.6 asks for one every 15 s), so proxies
    // and the client's inactivity timer never drop a stream that is only waiting.
    sse: { ping: { enabled: true, intervalMs: 15_000 } },
    // Never let tRPC decide from NODE_ENV whether stacks leak.
    isDev: false,
    errorFormatter({ shape, error }) {
      const described = describeError(error);
      return {
        code: shape.code,
        message: described.message,
        data: {
          code: shape.data.code,
          httpStatus: described.status,
          path: shape.data.path,
          app_code: described.code,
          details: described.details,
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Every procedure starts here: whatever a service throws (AppError, a driver error)
 * becomes a TRPCError with the matching code, so both transports answer the right status.
 */
export const baseProcedure = t.procedure.use(async ({ next, ctx, path }) => {
  const result = await next();
  if (result.ok) return result;
  const error = result.error;
  const described = describeError(error);
  if (described.code === "INTERNAL") {
    ctx.log.error({ err: error.cause ?? error, path }, "procedure failed");
  }
  // Already carrying the right code (or truly internal): leave it as tRPC made it.
  if (described.code === "INTERNAL" || error.code === trpcCodeOf[described.code]) return result;
  // The original error stays in the cause chain: describeError tells input-parsing zod
  // issues (under BAD_REQUEST) from output-validation ones (under INTERNAL_SERVER_ERROR) by it.
  throw new TRPCError({ code: trpcCodeOf[described.code], message: described.message, cause: error });
});

export { trpcCodeOf };
