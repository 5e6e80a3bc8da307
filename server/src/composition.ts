import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import { LocalEvaluator } from "./adapters/evaluator/local/index.js";
import { HttpEvaluator } from "./adapters/http/http-evaluator.js";
import { HttpProblemBank } from "./adapters/http/http-problem-bank.js";
import { CachingProblemBank } from "./adapters/problem-bank/caching-problem-bank.js";
import { ContentCachedProblemBank } from "./adapters/problem-bank/content-cached-problem-bank.js";
import { LocalProblemBank } from "./adapters/problem-bank/local-problem-bank.js";
import { MemoryCache } from "./adapters/cache/memory-cache.js";
import { MemoryContentVersion } from "./adapters/cache/memory-content-version.js";
import { RedisCache } from "./adapters/cache/redis-cache.js";
import { RedisContentVersion } from "./adapters/cache/redis-content-version.js";
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
import { RequestGate } from "./auth/request-gate.js";
import { createTokenVerifier, type VerificationKey } from "./auth/token-verifier.js";
import { cacheVerifiedTokens } from "./auth/verified-token-cache.js";
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
import { CatalogCache } from "./services/catalog-cache.js";
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

/**
 * A verified bearer token is trusted this long before its signature is checked again (never
 * past its `exp`): short enough that a revoked JWKS key stops working within a minute.
 */
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKEN_ENTRIES = 10_000;

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
  const evaluator = evaluatorOf(config, requestScope);
  const sharedCache = redis ? new RedisCache(redis) : new MemoryCache(clock);
  const contentVersion = redis ? await RedisContentVersion.connect(redis, logger) : new MemoryContentVersion();
  const catalogCache = new CatalogCache(contentVersion, sharedCache, clock, { ttlSeconds: catalogCacheSecondsOf(config) });
  const problemBank = problemBankOf(config, db, requestScope, sharedCache, catalogCache);
  const trackDirectory = new TrackDirectory(new TracksRepository(db), problemBank, contentVersion);
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
    gate: new RequestGate(
      cacheVerifiedTokens(await createTokenVerifier({ key: verificationKeyOf(config), issuer: config.auth.issuer, audience: config.auth.audience }), {
        ttlMs: VERIFIED_TOKEN_TTL_MS,
        maxEntries: VERIFIED_TOKEN_ENTRIES,
      }),
      rateLimiter,
      config.rateLimit,
    ),
    services: {
      catalog: new CatalogService(trackDirectory, problemBank, catalogCache),
      mastery: new MasteryService(new MasteryRepository(db), clock),
      health: new HealthService(probes, redis ? [] : ["redis"]),
      tutor: buildTutorService(infra, requestScope, problemBank, study.taskActivity),
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
    contentVersion,
    close: async () => {
      await evaluator.close();
      await contentVersion.close();
    },
  };
}

/**
 * Catalog reads are kept until content changes (the content version says when); the TTL only
 * bounds a missed announcement. A remote bank changes without telling: there the bank cache's
 * lifetime applies, and 0 turns both off.
 */
const LOCAL_CATALOG_CACHE_SECONDS = 300;
const catalogCacheSecondsOf = (config: Config) =>
  config.neighbours.problemBankBase ? config.neighbours.problemBankCacheSeconds : LOCAL_CATALOG_CACHE_SECONDS;

/**
 * The Problem Bank service over HTTP (behind a short-lived shared cache) when configured,
 * else the seeded `problems` table, whose single-problem lookups are kept until content changes.
 */
function problemBankOf(config: Config, db: DatabaseHandle["db"], scope: RequestScope, cache: Cache, contentReads: CatalogCache): ProblemBank {
  const { problemBankBase, serviceToken, problemBankTimeoutMs, problemBankCacheSeconds } = config.neighbours;
  if (!problemBankBase) return new ContentCachedProblemBank(new LocalProblemBank(db), contentReads);
  const remote = new HttpProblemBank({ baseUrl: problemBankBase, serviceToken, timeoutMs: problemBankTimeoutMs, requestScope: scope });
  return problemBankCacheSeconds > 0 ? new CachingProblemBank(remote, cache, problemBankCacheSeconds) : remote;
}

/** The Evaluation service over HTTP when configured, else the local sandboxes and math checker. */
function evaluatorOf(config: Config, scope: RequestScope): Evaluator {
  const { evalBase, serviceToken, evalTimeoutMs } = config.neighbours;
  return evalBase
    ? new HttpEvaluator({ baseUrl: evalBase, serviceToken, timeoutMs: evalTimeoutMs, requestScope: scope })
    : new LocalEvaluator({
        jsPoolSize: config.evaluator.poolSize,
        maxPerUser: config.evaluator.maxPerUser,
        queueLimit: config.evaluator.queueLimit,
        mathQueueLimit: config.evaluator.mathQueueLimit,
      });
}

/** The tutor provider named by `CO_TUTOR_PROVIDER` (or implied by which base URL is set). */
function tutorProviderOf(config: Config, scope: RequestScope): Tutor {
  switch (config.tutor.provider) {
    case "openai":
      return new OpenAiTutor({ baseUrl: config.tutor.openai.base!, model: config.tutor.openai.model, apiKey: config.tutor.openai.apiKey, requestScope: scope });
    case "tutor-api":
      return new TutorApiTutor({ baseUrl: config.neighbours.tutorBase!, serviceToken: config.neighbours.serviceToken, requestScope: scope });
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

function buildTutorService(infra: Infrastructure, scope: RequestScope, problemBank: ProblemBank, hintRecorder: HintRecorder): TutorService {
  const { config, logger, database, redis } = infra;
  const clock = infra.clock ?? systemClock;
  const db = database.db;
  return new TutorService({
    sessions: new SessionsRepository(db),
    turns: new TutorTurnsRepository(db),
    problemBank,
    tutor: tutorProviderOf(config, scope),
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
