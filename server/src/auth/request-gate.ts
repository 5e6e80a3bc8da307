import type { IncomingMessage } from "node:http";
import { AppError } from "../errors/app-error.js";
import type { RateLimiter } from "../ports/rate-limiter.js";
import { MISSING_TOKEN, type BearerCredential } from "./bearer-credential.js";
import type { AuthUser, TokenVerifier } from "./token-verifier.js";

/** Who is calling: the verified user, or why the token did not verify (reported only if auth is required). */
export interface Caller {
  user: AuthUser | null;
  authError: AppError | null;
}

export type SetHeader = (name: string, value: string) => void;

/**
 * The client's address: Express's `req.ip` (which honours `CO_TRUST_PROXY`), else the socket's.
 * The rate-limit key of anonymous callers, the same on every transport.
 */
export const clientIpOf = (req: IncomingMessage & { ip?: string | undefined }): string => req.ip ?? req.socket.remoteAddress ?? "unknown";

/**
 * The one gate every transport passes: `/trpc` and `/v1` procedures (through the tRPC
 * middleware), the SSE tutor stream and the streamed export. It identifies the caller
 * without failing yet, counts the call against the caller's sliding window (per user when the
 * token verifies, per client IP otherwise, so an unauthenticated call is still counted before it
 * is refused), sets the `RateLimit-*` headers, and only then demands a user if the call needs one.
 */
export class RequestGate {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly rateLimiter: RateLimiter,
    private readonly limit: { requests: number; windowSeconds: number },
  ) {}

  async identify(bearer: BearerCredential | undefined): Promise<Caller> {
    if (!bearer) return { user: null, authError: null };
    if ("refusal" in bearer) return { user: null, authError: bearer.refusal };
    try {
      return { user: (await this.verifier.verify(bearer.token)).user, authError: null };
    } catch (error) {
      return { user: null, authError: error instanceof AppError ? error : new AppError("UNAUTHORIZED", "Token could not be verified") };
    }
  }

  /** Counts one call; over the limit it throws RATE_LIMITED with `Retry-After`. */
  async count(caller: { user: AuthUser | null; ip: string }, setHeader: SetHeader): Promise<void> {
    const { requests, windowSeconds } = this.limit;
    const decision = await this.rateLimiter.hit(caller.user ? `user:${caller.user.id}` : `ip:${caller.ip}`, requests, windowSeconds);
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

  /** Identify, count, then require a verified user: the §5 401 names the token's own failure. */
  async admitUser(request: { bearer: BearerCredential | undefined; ip: string; setHeader: SetHeader }): Promise<AuthUser> {
    const caller = await this.identify(request.bearer);
    await this.count({ user: caller.user, ip: request.ip }, request.setHeader);
    if (!caller.user) throw caller.authError ?? new AppError("UNAUTHORIZED", MISSING_TOKEN);
    return caller.user;
  }
}
