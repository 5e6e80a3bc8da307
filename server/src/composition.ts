import type { Logger } from "pino";
import { LocalProblemBank } from "./adapters/problem-bank/local-problem-bank.js";
import { MemoryRateLimiter } from "./adapters/rate-limit/memory-rate-limiter.js";
import { RedisRateLimiter } from "./adapters/rate-limit/redis-rate-limiter.js";
import type { RedisHandle } from "./adapters/redis/redis-client.js";
import type { AppDeps } from "./app-deps.js";
import { createTokenVerifier, type VerificationKey } from "./auth/token-verifier.js";
import type { Config } from "./config/config.js";
import type { DatabaseHandle } from "./db/database.js";
import { systemClock, type Clock } from "./ports/clock.js";
import { MasteryRepository } from "./repositories/mastery.repository.js";
import { TracksRepository } from "./repositories/tracks.repository.js";
import { CatalogService } from "./services/catalog.service.js";
import { HealthService, type DependencyProbe } from "./services/health.service.js";
import { MasteryService } from "./services/mastery.service.js";

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

  const rateLimiter = redis ? new RedisRateLimiter(redis, logger) : new MemoryRateLimiter(clock);
  const problemBank = new LocalProblemBank(db);

  const probes: DependencyProbe[] = [{ name: "database", critical: true, check: () => database.ping() }];
  if (redis) probes.push({ name: "redis", critical: false, check: () => redis.ping() });

  return {
    config,
    logger,
    clock,
    tokenVerifier: await createTokenVerifier({
      key: verificationKeyOf(config),
      issuer: config.auth.issuer,
      audience: config.auth.audience,
    }),
    rateLimiter,
    services: {
      catalog: new CatalogService(new TracksRepository(db), problemBank),
      mastery: new MasteryService(new MasteryRepository(db)),
      health: new HealthService(probes, redis ? [] : ["redis"]),
    },
  };
}
