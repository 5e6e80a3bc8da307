import { createCallerFactory, router } from "./init.js";
import { healthRouter } from "./routers/health.router.js";
import { masteryRouter } from "./routers/mastery.router.js";
import { problemsRouter } from "./routers/problems.router.js";
import { tracksRouter } from "./routers/tracks.router.js";

/** The whole API: one sub-router per domain. REST paths come from each procedure's meta. */
export const appRouter = router({
  health: healthRouter,
  tracks: tracksRouter,
  problems: problemsRouter,
  mastery: masteryRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
