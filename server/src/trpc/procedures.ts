import { countCall, identifyCaller, requireUser, type Caller } from "../auth/caller-gate.js";
import { baseProcedure } from "./init.js";

/** No auth, no limit: health probes only. */
export const publicProcedure = baseProcedure;

/**
 * Resolves the caller (without failing yet) and counts the call against the caller's
 * sliding window: per user when the token verifies, per client IP otherwise. Each
 * procedure of a batched `/trpc` call passes here, so a batch of N counts N.
 */
export const limitedProcedure = baseProcedure.use(async ({ ctx, next }) => {
  const caller: Caller = ctx.user ? { user: ctx.user, authError: null } : await identifyCaller(ctx.deps.tokenVerifier, ctx.bearerToken);
  await countCall(ctx.deps, { user: caller.user, ip: ctx.ip }, (name, value) => ctx.response.setHeader(name, value));
  return next({ ctx: caller });
});

/** Requires a verified user: `ctx.user` is non-null from here on. */
export const authedProcedure = limitedProcedure.use(({ ctx, next }) => next({ ctx: { user: requireUser(ctx) } }));
