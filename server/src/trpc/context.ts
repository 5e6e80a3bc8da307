import type { Request, Response } from "express";
import type { Logger } from "pino";
import type { AppDeps } from "../app-deps.js";
import { bearerOf, type BearerCredential } from "../auth/bearer-credential.js";
import { clientIpOf } from "../auth/request-gate.js";
import type { AuthUser } from "../auth/token-verifier.js";
import { requestIdOrNew } from "../request-scope.js";

/** Response facts a procedure may set; the transports read them (status only on REST). */
export interface ResponseHolder {
  status?: number;
  setHeader(name: string, value: string): void;
}

export interface InnerContext {
  deps: AppDeps;
  requestId: string;
  log: Logger;
  /** Client address, the rate-limit key of anonymous callers. */
  ip: string;
  /** The request's bearer token (or why its header has none), verified by the auth middleware, not here, so failures get a clear 401. */
  bearer: BearerCredential | undefined;
  /** Set by the auth middleware. */
  user: AuthUser | null;
  idempotencyKey: string | undefined;
  response: ResponseHolder;
}

/** Context without HTTP: what tests use with `createCaller`. */
export function createInnerContext(
  deps: AppDeps,
  options: Partial<Omit<InnerContext, "deps" | "log">> & { log?: Logger } = {},
): InnerContext {
  const requestId = requestIdOrNew(options.requestId);
  return {
    deps,
    requestId,
    log: options.log ?? deps.logger.child({ request_id: requestId }),
    ip: options.ip ?? "127.0.0.1",
    bearer: options.bearer,
    user: options.user ?? null,
    idempotencyKey: options.idempotencyKey,
    response: options.response ?? { setHeader: () => {} },
  };
}

/** Context of one HTTP request, shared by `/trpc` and `/v1`. */
export function createHttpContextFactory(deps: AppDeps) {
  return ({
    req,
    res,
    info,
  }: {
    req: Request;
    res: Response;
    info?: { connectionParams?: Record<string, string | undefined> | null };
  }): InnerContext => {
    const idempotencyKey = req.header("idempotency-key");
    const tokenFromParams = info?.connectionParams?.token;
    return createInnerContext(deps, {
      requestId: res.locals.requestId as string,
      log: res.locals.log as Logger,
      ip: clientIpOf(req),
      bearer: bearerOf(req.header("authorization")) ?? (tokenFromParams ? { token: tokenFromParams } : undefined),
      idempotencyKey: idempotencyKey === undefined ? undefined : idempotencyKey,
      response: {
        setHeader: (name, value) => {
          if (!res.headersSent) res.setHeader(name, value);
        },
      },
    });
  };
}

export type Context = InnerContext;
