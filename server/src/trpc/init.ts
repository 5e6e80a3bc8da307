import { initTRPC } from "@trpc/server";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import superjson from "superjson";
import type { OpenApiMeta } from "trpc-to-openapi";
import { trpcCodeOf } from "../errors/app-error.js";
import { describeError } from "../errors/describe-error.js";
import type { Context } from "./context.js";
import { serializeOutput } from "./superjson-output.js";

export interface ProcedureMeta extends OpenApiMeta {
  /** REST status of a successful call (201, 202); tRPC always answers 200. */
  successStatus?: number;
  /**
   * Public catalog content, the same for every caller until content changes: REST answers carry
   * a strong `ETag` and `Cache-Control`, and a matching `If-None-Match` gets 304.
   */
  catalog?: true;
}

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // superjson on the wire both ways; outputs are written by a one-pass equivalent of
    // superjson's serializer (superjson-output.ts), which falls back to superjson itself.
    transformer: { input: superjson, output: { serialize: serializeOutput, deserialize: (value) => superjson.deserialize(value) } },
    // Keep-alive comments on idle subscriptions (§8.6 asks for one every 15 s), so proxies
    // and the client's inactivity timer never drop a stream that is only waiting.
    sse: { ping: { enabled: true, intervalMs: 15_000 } },
    // Never let tRPC decide from NODE_ENV whether stacks leak.
    isDev: false,
    /**
     * The one translation of a failed call on /trpc: whatever a procedure threw (AppError, a
     * driver error, tRPC's own) is described once, and the tRPC code, the HTTP status (tRPC
     * answers with `data.httpStatus`) and the §5 code all come from the error-code table.
     */
    errorFormatter({ shape, error }) {
      const described = describeError(error);
      const trpcCode = trpcCodeOf(described.code);
      // tRPC's own client errors keep their precise code (PARSE_ERROR, METHOD_NOT_SUPPORTED …).
      const code = described.code === "VALIDATION_ERROR" && error.code !== "INTERNAL_SERVER_ERROR" ? error.code : trpcCode;
      return {
        code: TRPC_ERROR_CODES_BY_KEY[code],
        message: described.message,
        data: {
          code,
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
export const procedure = t.procedure;
