import type { Config } from "../config/config.js";
import { AppError } from "../errors/app-error.js";
import type { RateLimiter } from "../ports/rate-limiter.js";
import type { AuthUser, TokenVerifier } from "./token-verifier.js";

/** Who is calling: the verified user, or why the token did not verify (reported only if auth is required). */
export interface Caller {
  user: AuthUser | null;
  authError: AppError | null;
}

/**
 * Verifies the bearer token without failing yet, so an unauthenticated call is still
 * counted (per IP) before it is refused.
 */
export async function identifyCaller(verifier: TokenVerifier, bearerToken: string | undefined): Promise<Caller> {
  try {
    return { user: await verifier.verify(bearerToken), authError: null };
  } catch (error) {
    return { user: null, authError: error instanceof AppError ? error : new AppError("UNAUTHORIZED", "Token could not be verified") };
  }
}

/** The verified user, or the §5 401: the token's own failure, else a missing token. */
export function requireUser(caller: Caller): AuthUser {
  if (!caller.user) throw caller.authError ?? new AppError("UNAUTHORIZED", "Missing bearer token (Authorization: Bearer <jwt>)");
  return caller.user;
}

/**
 * Counts one call against the caller's sliding window (per user when known, else per
 * client IP), sets the `RateLimit-*` headers, and throws RATE_LIMITED (with
 * `Retry-After`) over the limit. tRPC procedures and plain Express routes share it.
 */
export async function countCall(
  deps: { rateLimiter: RateLimiter; config: Pick<Config, "rateLimit"> },
  caller: { user: AuthUser | null; ip: string },
  setHeader: (name: string, value: string) => void,
): Promise<void> {
  const { requests, windowSeconds } = deps.config.rateLimit;
  const decision = await deps.rateLimiter.hit(caller.user ? `user:${caller.user.id}` : `ip:${caller.ip}`, requests, windowSeconds);
  setHeader("RateLimit-Limit", String(decision.limit));
  setHeader("RateLimit-Remaining", String(decision.remaining));
  setHeader("RateLimit-Reset", String(decision.resetSeconds));
  if (!decision.allowed) {
    setHeader("Retry-After", String(decision.resetSeconds));
    throw new AppError("RATE_LIMITED", `Rate limit of ${decision.limit} requests per ${windowSeconds} s exceeded; retry in ${decision.resetSeconds} s`, {
      retry_after: decision.resetSeconds,
    });
  }
}
