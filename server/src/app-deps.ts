import type { Logger } from "pino";
import type { RequestGate } from "./auth/request-gate.js";
import type { Config } from "./config/config.js";
import type { Clock } from "./ports/clock.js";
import type { ContentVersion } from "./ports/content-version.js";
import type { RequestScope } from "./request-scope.js";
import type { CatalogService } from "./services/catalog.service.js";
import type { HealthService } from "./services/health.service.js";
import type { MasteryService } from "./services/mastery.service.js";
import type { TutorService } from "./services/tutor.service.js";
import type { RecommendationService } from "./services/recommendation/recommendation.service.js";
import type { SessionsService } from "./services/sessions.service.js";
import type { SubmissionsService } from "./services/submissions/submissions.service.js";
import type { StudyPathsService } from "./services/study/study-paths.service.js";
import type { StudyTasksService } from "./services/study/study-tasks.service.js";

export interface AppServices {
  catalog: CatalogService;
  mastery: MasteryService;
  health: HealthService;
  tutor: TutorService;
  sessions: SessionsService;
  submissions: SubmissionsService;
  recommendations: RecommendationService;
  studyPaths: StudyPathsService;
  studyTasks: StudyTasksService;
}

/** Everything a request may need, built once in the composition root and passed down. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Carries the request id to adapters that call neighbours. */
  requestScope: RequestScope;
  /** Auth and rate limit, the same for every transport. */
  gate: RequestGate;
  services: AppServices;
  /** Bumped when content is seeded or imported, so every instance's catalog cache lets go. */
  contentVersion: ContentVersion;
  /** Starts the evaluator's sandboxes ahead of the first submission (the server calls it once listening). */
  warmUp(): void;
  /** Releases what the graph owns (evaluator child processes); infrastructure is closed by its owner. */
  close(): Promise<void>;
}
