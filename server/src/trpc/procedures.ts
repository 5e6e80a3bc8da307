import { procedure } from "./init.js";

/** No auth, no limit: health probes only. */
export const publicProcedure = procedure;

/**
 * Passes the request gate: the call is counted against the caller's sliding window (so each
 * procedure of a batched `/trpc` call counts, a batch of N counting N), then a verified user is
 * required; `ctx.user` is non-null from here on. A context that already carries a user (a
 * server-side caller) is still counted.
 */
export const authedProcedure = procedure.use(async ({ ctx, next }) => {
  const { gate } = ctx.deps;
  const setHeader = ctx.response.setHeader;
  let user = ctx.user;
  if (user) await gate.count({ user, ip: ctx.ip }, setHeader);
  else user = await gate.admitUser({ bearer: ctx.bearer, ip: ctx.ip, setHeader });
  return next({ ctx: { user } });
});
