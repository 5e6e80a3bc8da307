import { AppError } from "../errors/app-error.js";
import { baseProcedure } from "./init.js";

/** No auth, no limit: health probes only. */
export const publicProcedure = baseProcedure;

/**
 * Resolves the caller (without failing yet) and counts the call against the caller's
 * sliding window: per user when the token verifies, per client IP otherwise. Each
 * procedure of a batched `/trpc` call passes here, so a batch of N counts N.
 */
export const limitedProcedure = baseProcedure.use(async ({ ctx, next }) => {
  let user = ctx.user;
  let authError: AppError | null = null;
  if (!user) {
    try {
      user = await ctx.deps.tokenVerifier.verify(ctx.bearerToken);
    } catch (error) {
      authError = error instanceof AppError ? error : new AppError("UNAUTHORIZED", "Token could not be verified");
    }
  }
  const { requests, windowSeconds } = ctx.deps.config.rateLimit;
  const decision = await ctx.deps.rateLimiter.hit(user ? `user:${user.id}` : `ip:${ctx.ip}`, requests, windowSeconds);
  ctx.response.setHeader("RateLimit-Limit", String(decision.limit));
  ctx.response.setHeader("RateLimit-Remaining", String(decision.remaining));
  ctx.response.setHeader("RateLimit-Reset", String(decision.resetSeconds));
  if (!decision.allowed) {
    ctx.response.setHeader("Retry-After", String(decision.resetSeconds));
    throw new AppError("RATE_LIMITED", `Rate limit of ${decision.limit} requests per ${windowSeconds} s exceeded; retry in ${decision.resetSeconds} s`, {
      retry_after: decision.resetSeconds,
    });
  }
  return next({ ctx: { user, authError } });
});

/** Requires a verified user: `ctx.user` is non-null from here on. */
export const authedProcedure = limitedProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw ctx.authError ?? new AppError("UNAUTHORIZED", "Missing bearer token (Authorization: Bearer <jwt>)");
  return next({ ctx: { user: ctx.user } });
});
