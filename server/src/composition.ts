import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { LocalEvaluator } from "./adapters/evaluator/local/index.js";
import { HttpEvaluator } from "./adapters/http/http-evaluator.js";
import { HttpProblemBank } from "./adapters/http/http-problem-bank.js";
import { CachingProblemBank } from "./adapters/problem-bank/caching-problem-bank.js";
import { LocalProblemBank } from "./adapters/problem-bank/local-problem-bank.js";
import { MemoryCache } from "./adapters/cache/memory-cache.js";
import { RedisCache } from "./adapters/cache/redis-cache.js";
import { MemoryRateLimiter } from "./adapters/rate-limit/memory-rate-limiter.js";
import { RedisRateLimiter } from "./adapters/rate-limit/redis-rate-limiter.js";
import type { RedisHandle } from "./adapters/redis/redis-client.js";
import { MemoryStreamBus } from "./adapters/stream-bus/memory-stream-bus.js";
import { MemoryStreamSlots } from "./adapters/stream-bus/memory-stream-slots.js";
import { RedisStreamBus } from "./adapters/stream-bus/redis-stream-bus.js";
import { RedisStreamSlots } from "./adapters/stream-bus/redis-stream-slots.js";
import { LocalTutor } from "./adapters/tutor/local-tutor.js";
import { OpenAiTutor } from "./adapters/tutor/openai-tutor.js";
import { TutorApiTutor } from "./adapters/tutor/tutor-api-tutor.js";
import type { AppDeps } from "./app-deps.js";
import { createStreamTokens, deriveStreamTokenSecret } from "./auth/stream-token.js";
import { createTokenVerifier, type VerificationKey } from "./auth/token-verifier.js";
import type { Config } from "./config/config.js";
import type { DatabaseHandle } from "./db/database.js";
import { systemClock, type Clock } from "./ports/clock.js";
import type { Cache } from "./ports/cache.js";
import type { ProblemBank } from "./ports/problem-bank.js";
import type { Tutor } from "./ports/tutor.js";
import { RequestScope } from "./request-scope.js";
import type { Evaluator } from "./ports/evaluator.js";
import { LearnerFactsRepository } from "./repositories/learner-facts.repository.js";
import { MasteryRepository } from "./repositories/mastery.repository.js";
import { ReviewQueueRepository } from "./repositories/review-queue.repository.js";
import { SubmissionsRepository } from "./repositories/submissions.repository.js";
import { RecommendationService } from "./services/recommendation/recommendation.service.js";
import { SessionsService } from "./services/sessions.service.js";
import { SubmissionsService } from "./services/submissions/submissions.service.js";
import { LearningRecorder } from "./services/learning/learning-recorder.js";
import type { TaskSubmissionLink } from "./services/submissions/task-link.js";
import { SessionsRepository } from "./repositories/sessions.repository.js";
import { TracksRepository } from "./repositories/tracks.repository.js";
import { TrackDirectory } from "./services/track-directory.js";
import { TutorTurnsRepository } from "./repositories/tutor-turns.repository.js";
import { CatalogService } from "./services/catalog.service.js";
import { HealthService, type DependencyProbe } from "./services/health.service.js";
import { MasteryService } from "./services/mastery.service.js";
import { TutorService, type HintRecorder } from "./services/tutor.service.js";
import { ReviewItemsRepository } from "./repositories/review-items.repository.js";
import { StudyPathsRepository } from "./repositories/study-paths.repository.js";
import { StudyTasksRepository } from "./repositories/study-tasks.repository.js";
import { TaskEventsRepository } from "./repositories/task-events.repository.js";
import { StudyPathsService } from "./services/study/study-paths.service.js";
import { StudyTasksService } from "./services/study/study-tasks.service.js";
import { TaskActivityService } from "./services/study/task-activity.service.js";

export interface Infrastructure {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  /** Null in embedded mode: in-process implementations stand in. */
  redis: RedisHandle | null;
  clock?: Clock;
}

export function verificationKeyOf(config: Config): VerificationKey {
  if (config.auth.publicKeyPem) return { kind: "pem", pem: config.auth.publicKeyPem };
  if (config.auth.jwksUrl) return { kind: "jwks", url: config.auth.jwksUrl };
  if (config.auth.secret) return { kind: "secret", secret: config.auth.secret };
  throw new Error("No JWT key source: set CO_JWT_SECRET, CO_JWT_PUBLIC_KEY or CO_JWKS_URL");
}

/**
 * The composition root: config → adapters → services. Choosing an adapter is
 * decided here and nowhere else; tests build the same graph with test infrastructure.
 */
export async function buildDeps(infra: Infrastructure): Promise<AppDeps> {
  const { config, logger, database, redis } = infra;
  const clock = infra.clock ?? systemClock;
  const db = database.db;

  const requestScope = new RequestScope();
  const rateLimiter = redis ? new RedisRateLimiter(redis, logger) : new MemoryRateLimiter(clock);
  const problemBank = problemBankOf(config, db, requestScope, redis ? new RedisCache(redis) : new MemoryCache(clock));
  const evaluator = evaluatorOf(config, requestScope);
  const trackDirectory = new TrackDirectory(new TracksRepository(db), problemBank);
  const sessionsRepository = new SessionsRepository(db);
  const recommendations = new RecommendationService(
    new LearnerFactsRepository(db),
    problemBank,
    config.recommendation,
    clock,
    config.learning.pacing === "success" ? { mode: "success", target: config.learning.targetSuccess } : { mode: "bands" },
  );
  const study = buildStudyServices(db, clock, { tracks: trackDirectory, problemBank, recommendations });
  const taskLink: TaskSubmissionLink = study.taskActivity;

  const probes: DependencyProbe[] = [{ name: "database", critical: true, check: () => database.ping() }];
  if (redis) probes.push({ name: "redis", critical: false, check: () => redis.ping() });

  return {
    config,
    logger,
    clock,
    requestScope,
    tokenVerifier: await createTokenVerifier({
      key: verificationKeyOf(config),
      issuer: config.auth.issuer,
      audience: config.auth.audience,
    }),
    rateLimiter,
    services: {
      catalog: new CatalogService(trackDirectory, problemBank),
      mastery: new MasteryService(new MasteryRepository(db)),
      health: new HealthService(probes, redis ? [] : ["redis"]),
      tutor: buildTutorService(infra, problemBank, study.taskActivity),
      recommendations,
      sessions: new SessionsService(sessionsRepository, trackDirectory, problemBank, recommendations),
      studyPaths: study.studyPaths,
      studyTasks: study.studyTasks,
      submissions: new SubmissionsService({
        db,
        submissions: new SubmissionsRepository(db),
        sessions: sessionsRepository,
        learning: new LearningRecorder(new ReviewQueueRepository(), config.learning, config.reviewBucketsDays),
        problemBank,
        evaluator,
        taskLink,
        clock,
      }),
    },
    warmUp: () => evaluator.warmUp?.(),
    close: () => evaluator.close(),
  };
}

/**
 * The Problem Bank service over HTTP (behind a short-lived shared cache) when configured,
 * else the seeded `problems` table, which needs no cache in front of it.
 */
function problemBankOf(config: Config, db: DatabaseHandle["db"], scope: RequestScope, cache: Cache): ProblemBank {
  const { problemBankBase, serviceToken, problemBankTimeoutMs, problemBankCacheSeconds } = config.neighbours;
  if (!problemBankBase) return new LocalProblemBank(db);
  const remote = new HttpProblemBank({ baseUrl: problemBankBase, serviceToken, timeoutMs: problemBankTimeoutMs, getRequestId: () => scope.currentRequestId() });
  return problemBankCacheSeconds > 0 ? new CachingProblemBank(remote, cache, problemBankCacheSeconds) : remote;
}

/** The Evaluation service over HTTP when configured, else the local sandboxes and math checker. */
function evaluatorOf(config: Config, scope: RequestScope): Evaluator {
  const { evalBase, serviceToken, evalTimeoutMs } = config.neighbours;
  return evalBase
    ? new HttpEvaluator({ baseUrl: evalBase, serviceToken, timeoutMs: evalTimeoutMs, getRequestId: () => scope.currentRequestId() })
    : new LocalEvaluator({
        pythonEnabled: config.evaluator.pythonEnabled,
        jsPoolSize: config.evaluator.poolSize,
        childPath: config.evaluator.childPath,
      });
}

/** The tutor provider named by `CO_TUTOR_PROVIDER` (or implied by which base URL is set). */
function tutorProviderOf(config: Config): Tutor {
  switch (config.tutor.provider) {
    case "openai":
      return new OpenAiTutor({ baseUrl: config.tutor.openai.base!, model: config.tutor.openai.model, apiKey: config.tutor.openai.apiKey });
    case "tutor-api":
      return new TutorApiTutor({ baseUrl: config.neighbours.tutorBase!, serviceToken: config.neighbours.serviceToken });
    default:
      return new LocalTutor();
  }
}

/** `CO_STREAM_TOKEN_SECRET`, else (outside production) one derived from the HS256 secret all instances share. */
function streamTokenSecretOf(config: Config, logger: Logger): string {
  if (config.tutor.streamTokenSecret) return config.tutor.streamTokenSecret;
  if (config.auth.secret) return deriveStreamTokenSecret(config.auth.secret);
  logger.warn("CO_STREAM_TOKEN_SECRET is unset: tutor stream tokens are valid on this instance only");
  return randomBytes(32).toString("hex");
}

function buildTutorService(infra: Infrastructure, problemBank: ProblemBank, hintRecorder: HintRecorder): TutorService {
  const { config, logger, database, redis } = infra;
  const clock = infra.clock ?? systemClock;
  const db = database.db;
  return new TutorService({
    sessions: new SessionsRepository(db),
    turns: new TutorTurnsRepository(db),
    problemBank,
    tutor: tutorProviderOf(config),
    bus: redis ? new RedisStreamBus(redis, logger) : new MemoryStreamBus(),
    slots: redis ? new RedisStreamSlots(redis) : new MemoryStreamSlots(clock),
    tokens: createStreamTokens(streamTokenSecretOf(config, logger)),
    hintRecorder,
    transaction: (work) => db.transaction(work),
    clock,
    logger,
    settings: {
      maxStreams: config.tutor.maxConcurrentStreams,
      timeoutMs: config.neighbours.tutorTimeoutMs,
      publicBaseUrl: config.publicBaseUrl,
    },
  });
}

/** Study paths and tasks, and the task side of submissions (`task_id`) and tutor hints. */
function buildStudyServices(
  db: DatabaseHandle["db"],
  clock: Clock,
  shared: { tracks: TrackDirectory; problemBank: ProblemBank; recommendations: RecommendationService },
) {
  const paths = new StudyPathsRepository(db);
  const tasks = new StudyTasksRepository(db);
  const events = new TaskEventsRepository(db);
  const reviews = new ReviewItemsRepository(db);
  return {
    studyPaths: new StudyPathsService({ db, paths, tasks, events, reviews, ...shared, clock }),
    studyTasks: new StudyTasksService({ db, paths, tasks, events, reviews, problemBank: shared.problemBank, clock }),
    taskActivity: new TaskActivityService({ tasks, events, clock }),
  };
}
