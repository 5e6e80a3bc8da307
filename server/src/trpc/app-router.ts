import { router } from "./init.js";
import { healthRouter } from "./routers/health.router.js";
import { masteryRouter } from "./routers/mastery.router.js";
import { problemsRouter } from "./routers/problems.router.js";
import { tracksRouter } from "./routers/tracks.router.js";
import { sessionsRouter } from "./routers/sessions.router.js";
import { submissionsRouter } from "./routers/submissions.router.js";
import { tutorRouter } from "./routers/tutor.router.js";
import { studyPathsRouter } from "./routers/study-paths.router.js";
import { studyTasksRouter } from "./routers/study-tasks.router.js";

/** The whole API: one sub-router per domain. REST paths come from each procedure's meta. */
export const appRouter = router({
  health: healthRouter,
  tracks: tracksRouter,
  problems: problemsRouter,
  mastery: masteryRouter,
  sessions: sessionsRouter,
  submissions: submissionsRouter,
  tutor: tutorRouter,
  studyPaths: studyPathsRouter,
  studyTasks: studyTasksRouter,
});

export type AppRouter = typeof appRouter;
