import { MemoryCache } from "../../../server/src/adapters/cache/memory-cache.js";
import { MemoryContentVersion } from "../../../server/src/adapters/cache/memory-content-version.js";
import { ContentCachedProblemBank } from "../../../server/src/adapters/problem-bank/content-cached-problem-bank.js";
import { LocalProblemBank } from "../../../server/src/adapters/problem-bank/local-problem-bank.js";
import type { Config } from "../../../server/src/config/config.js";
import type { Database } from "../../../server/src/db/database.js";
import { systemClock, type Clock } from "../../../server/src/ports/clock.js";
import type { CodeEvaluation, Evaluator, MathEvaluation } from "../../../server/src/ports/evaluator.js";
import { LearnerFactsRepository } from "../../../server/src/repositories/learner-facts.repository.js";
import { ReviewQueueRepository } from "../../../server/src/repositories/review-queue.repository.js";
import { SessionsRepository } from "../../../server/src/repositories/sessions.repository.js";
import { SubmissionsRepository } from "../../../server/src/repositories/submissions.repository.js";
import { TracksRepository } from "../../../server/src/repositories/tracks.repository.js";
import { LearningRecorder } from "../../../server/src/services/learning/learning-recorder.js";
import { RecommendationService } from "../../../server/src/services/recommendation/recommendation.service.js";
import { SessionsService } from "../../../server/src/services/sessions.service.js";
import { CatalogCache } from "../../../server/src/services/catalog-cache.js";
import { SubmissionsService } from "../../../server/src/services/submissions/submissions.service.js";
import type { TaskSubmissionLink } from "../../../server/src/services/submissions/task-link.js";
import { TrackDirectory } from "../../../server/src/services/track-directory.js";

/**
 * The Evaluator port answered by the simulation: the simulated learner's outcome is drawn
 * first and set here, so the CO grades exactly what the ground truth decided.
 */
export class ScriptedEvaluator implements Evaluator {
  next = false;

  async evaluateCode(): Promise<CodeEvaluation> {
    const passed = this.next;
    return { status: passed ? "passed" : "failed", visible: { passed: passed ? 1 : 0, total: 1, details: [] }, hidden: { passed: passed ? 1 : 0, total: 1 }, execMs: 1 };
  }

  async evaluateMath(): Promise<MathEvaluation> {
    return this.next ? { correct: true } : { correct: false, errorType: "wrong_answer" };
  }

  async close(): Promise<void> {}
}

/** The simulation never submits for a study task. */
const noTasks: TaskSubmissionLink = {
  assertSubmittable: async () => {
    throw new Error("the simulation does not use study tasks");
  },
  record: async () => {},
};

/**
 * The same services the composition root builds in embedded mode, over one database, with the
 * simulated clock and evaluator. The catalog cache keeps the wall clock: its TTL bounds staleness
 * in real time, and the simulated clock jumps minutes per attempt.
 */
export function buildSimServices(db: Database, config: Config, clock: Clock) {
  const catalog = new CatalogCache(new MemoryContentVersion(), new MemoryCache(systemClock), systemClock, { ttlSeconds: 300 });
  const problemBank = new ContentCachedProblemBank(new LocalProblemBank(db), catalog);
  const sessionsRepository = new SessionsRepository(db);
  const { learning } = config;
  const recommendations = new RecommendationService(
    new LearnerFactsRepository(db),
    problemBank,
    config.recommendation,
    clock,
    learning.pacing === "success" ? { mode: "success", target: learning.targetSuccess } : { mode: "bands" },
  );
  const evaluator = new ScriptedEvaluator();
  return {
    evaluator,
    problemBank,
    sessions: new SessionsService(sessionsRepository, new TrackDirectory(new TracksRepository(db), problemBank), problemBank, recommendations),
    submissions: new SubmissionsService({
      db,
      submissions: new SubmissionsRepository(db),
      sessions: sessionsRepository,
      learning: new LearningRecorder(new ReviewQueueRepository(), learning, config.reviewBucketsDays),
      problemBank,
      evaluator,
      taskLink: noTasks,
      clock,
    }),
  };
}
