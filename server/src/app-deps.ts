import type { Logger } from "pino";
import type { TokenVerifier } from "./auth/token-verifier.js";
import type { Config } from "./config/config.js";
import type { Clock } from "./ports/clock.js";
import type { RateLimiter } from "./ports/rate-limiter.js";
import type { CatalogService } from "./services/catalog.service.js";
import type { HealthService } from "./services/health.service.js";
import type { MasteryService } from "./services/mastery.service.js";

export interface AppServices {
  catalog: CatalogService;
  mastery: MasteryService;
  health: HealthService;
}

/** Everything a request may need, built once in the composition root and passed down. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  clock: Clock;
  tokenVerifier: TokenVerifier;
  rateLimiter: RateLimiter;
  services: AppServices;
}
