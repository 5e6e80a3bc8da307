import { z } from "zod";
import { allowedCorsOrigins } from "./cors-origins.js";

/**
 * The only module that reads the environment. Every variable of SPEC §3 (and the §9
 * timeouts) is parsed here once; the rest of the code receives a typed `Config`.
 */

const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());
const int = (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));
const weight = (fallback: number) => z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(10).default(fallback));
/** A probability strictly between 0 and 1. */
const probability = (fallback: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().gt(0, "must be above 0").lt(1, "must be below 1").default(fallback));
const flagDefaulting = (value: "true" | "false") =>
  z.preprocess(
    emptyToUndefined,
    z
      .enum(["true", "false", "1", "0", "yes", "no"])
      .default(value)
      .transform((text) => ["true", "1", "yes"].includes(text)),
  );
const flag = flagDefaulting("false");
const commaList = (fallback: string) =>
  z.preprocess(emptyToUndefined, z.string().default(fallback)).transform((value) =>
    value
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean),
  );

const envSchema = z.object({
  CO_ENVIRONMENT: z.preprocess(emptyToUndefined, z.enum(["development", "test", "production"]).default("development")),
  CO_HOST: z.preprocess(emptyToUndefined, z.string().default("127.0.0.1")),
  CO_PORT: int(8000, 0, 65535),
  CO_PUBLIC_BASE_URL: optionalUrl,
  CO_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./.co-data")),
  CO_DB_URL: optionalUrl,
  CO_DB_POOL_SIZE: int(10, 1, 500),
  CO_DB_CONNECT_TIMEOUT_MS: int(2000, 100, 60_000),
  CO_DB_STATEMENT_TIMEOUT_MS: int(3000, 100, 600_000),
  CO_DB_PREPARED_STATEMENTS: flagDefaulting("true"),
  CO_REDIS_URL: optionalUrl,
  CO_REDIS_PREFIX: z.preprocess(emptyToUndefined, z.string().default("co:")),
  CO_PROBLEM_BANK_BASE: optionalUrl,
  CO_EVAL_BASE: optionalUrl,
  CO_TUTOR_BASE: optionalUrl,
  CO_SERVICE_TOKEN: optionalString,
  CO_PROBLEM_BANK_TIMEOUT_MS: int(5000, 1),
  CO_PROBLEM_BANK_CACHE_SECONDS: int(60, 0, 86_400),
  CO_EVAL_TIMEOUT_MS: int(60000, 1),
  CO_TUTOR_TIMEOUT_MS: int(30000, 1),
  CO_TUTOR_PROVIDER: z.preprocess(emptyToUndefined, z.enum(["local", "tutor-api", "openai"]).optional()),
  CO_OPENAI_BASE: optionalUrl,
  CO_OPENAI_MODEL: z.preprocess(emptyToUndefined, z.string().default("gpt-4o-mini")),
  CO_OPENAI_API_KEY: optionalString,
  CO_JWT_ISSUER: z.preprocess(emptyToUndefined, z.string().default("api.scimigo.com")),
  CO_JWT_AUDIENCE: z.preprocess(emptyToUndefined, z.string().default("scimigo")),
  CO_JWT_PUBLIC_KEY: optionalString,
  CO_JWKS_URL: optionalUrl,
  CO_JWT_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  CO_CORS_ORIGINS: commaList(
    "https://coding.scimigo.com,https://app.scimigo.com,http://localhost:3000,http://localhost:5173",
  ).superRefine((origins, ctx) => {
    // A browser's Origin is exactly scheme://host[:port]; anything else would silently never match.
    for (const origin of origins) {
      if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
        ctx.addIssue({ code: "custom", message: `'${origin}' is not an origin like https://app.example.com (no path, no trailing slash)` });
      }
    }
  }),
  CO_TRUST_PROXY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default("false")
      .transform((value): number | string | false => (value === "false" ? false : /^\d+$/.test(value) ? Number(value) : value))
      .refine((value) => value !== "true", "trusting every proxy lets any client pick its IP; give a hop count or addresses"),
  ),
  CO_RATE_LIMIT_REQUESTS: int(60, 1),
  CO_RATE_LIMIT_WINDOW: int(60, 1),
  CO_MAX_CONCURRENT_SSE: int(2, 1, 1000),
  CO_STREAM_TOKEN_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  CO_WEIGHT_WEAKNESS: weight(0.4),
  CO_WEIGHT_NOVELTY: weight(0.2),
  CO_WEIGHT_DIFFICULTY: weight(0.25),
  CO_WEIGHT_RECENCY: weight(0.15),
  CO_REVIEW_BUCKETS: commaList("1,3,7,21").pipe(
    z
      .array(z.string().regex(/^\d+(\.\d+)?$/, "review intervals must be non-negative numbers of days").transform(Number))
      .min(1, "needs at least one interval"),
  ),
  CO_PACING: z.preprocess(emptyToUndefined, z.enum(["success", "bands"]).default("success")),
  CO_TARGET_SUCCESS: probability(0.7),
  CO_ELO_K_A: z.preprocess(emptyToUndefined, z.coerce.number().gt(0).max(10).default(0.8)),
  CO_ELO_K_B: z.preprocess(emptyToUndefined, z.coerce.number().min(0).max(10).default(0.05)),
  CO_REVIEW_SCHEDULER: z.preprocess(emptyToUndefined, z.enum(["fsrs", "buckets"]).default("fsrs")),
  CO_REVIEW_RETENTION: probability(0.9),
  CO_RETENTION_REVIEWS: flag,
  CO_EVAL_POOL_SIZE: int(2, 1, 16),
  CO_EVAL_MAX_PER_USER: int(1, 1, 16),
  CO_EVAL_QUEUE_LIMIT: int(32, 1, 10_000),
  CO_EVAL_MATH_QUEUE_LIMIT: int(256, 1, 100_000),
  CO_SHUTDOWN_GRACE_MS: int(15_000, 0, 600_000),
  CO_LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
});

export type Environment = "development" | "test" | "production";

export interface Config {
  environment: Environment;
  host: string;
  port: number;
  publicBaseUrl: string;
  dataDir: string;
  /** Timeouts bound how long a request waits on an unusable database before it answers 503. */
  database: {
    url?: string;
    poolSize: number;
    connectTimeoutMs: number;
    statementTimeoutMs: number;
    /** Off for a pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21). */
    preparedStatements: boolean;
  };
  redis: { url?: string; prefix: string };
  neighbours: {
    problemBankBase?: string;
    evalBase?: string;
    tutorBase?: string;
    serviceToken?: string;
    problemBankTimeoutMs: number;
    /** How long problems from a remote bank are cached (0: not at all). */
    problemBankCacheSeconds: number;
    evalTimeoutMs: number;
    tutorTimeoutMs: number;
  };
  tutor: {
    provider: "local" | "tutor-api" | "openai";
    openai: { base?: string; model: string; apiKey?: string };
    maxConcurrentStreams: number;
    /** Signs tutor stream tokens; shared by all instances. Unset outside production → derived from the HS256 secret. */
    streamTokenSecret?: string;
  };
  auth: {
    issuer: string;
    audience: string;
    publicKeyPem?: string;
    jwksUrl?: string;
    /** HS256 secret: `CO_JWT_SECRET`, or (outside production) generated once into the data dir. */
    secret?: string;
  };
  /** Origins CORS allows (in development with the 127.0.0.1 twins of localhost ones). */
  corsOrigins: string[];
  /** Express `trust proxy`: which proxies may set X-Forwarded-For (per-IP rate limits use the client IP). */
  trustProxy: number | string | false;
  rateLimit: { requests: number; windowSeconds: number };
  recommendation: { weakness: number; novelty: number; difficulty: number; recency: number };
  reviewBucketsDays: number[];
  learning: LearningConfig;
  /** Local sandboxes: processes per pool, a user's evaluations at once, and how many may wait. */
  evaluator: { poolSize: number; maxPerUser: number; queueLimit: number; mathQueueLimit: number };
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** How long SIGTERM waits for in-flight requests (longer than the 10 s evaluation budget) before answering them 503. */
  shutdownGraceMs: number;
}

/** How the CO paces practice and schedules reviews (the learning engine, or the replaced rules). */
export interface LearningConfig {
  /** `success`: closeness of the predicted P(pass) to `targetSuccess`; `bands`: the last five submissions' pass rate. */
  pacing: "success" | "bands";
  targetSuccess: number;
  /** Elo uncertainty K(n) = a / (1 + b·n). */
  elo: { a: number; b: number };
  /** `fsrs`: an FSRS card per (user, problem); `buckets`: the fixed intervals of `reviewBucketsDays`. */
  scheduler: "fsrs" | "buckets";
  /** FSRS desired retention. */
  retention: number;
  /** FSRS only: also schedule problems passed without a failure (reason `retention`). */
  retentionReviews: boolean;
}

/** A configuration problem, naming each offending variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? "environment")}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.CO_ENVIRONMENT === "production") {
    if (!e.CO_JWT_PUBLIC_KEY && !e.CO_JWKS_URL) {
      problems.push("CO_JWT_PUBLIC_KEY / CO_JWKS_URL: production needs an asymmetric JWT key source");
    }
    if (e.CO_JWT_SECRET) problems.push("CO_JWT_SECRET: HS256 secrets are refused in production");
    if (!e.CO_STREAM_TOKEN_SECRET) {
      problems.push("CO_STREAM_TOKEN_SECRET: production needs a secret of at least 32 characters, the same on every instance, to sign tutor stream tokens");
    }
  }
  if (e.CO_JWT_PUBLIC_KEY && e.CO_JWKS_URL) {
    problems.push("CO_JWT_PUBLIC_KEY / CO_JWKS_URL: set one key source, not both");
  }
  if (e.CO_JWT_PUBLIC_KEY && !e.CO_JWT_PUBLIC_KEY.includes("BEGIN PUBLIC KEY")) {
    problems.push("CO_JWT_PUBLIC_KEY: expected a PEM public key (-----BEGIN PUBLIC KEY-----)");
  }
  const provider = e.CO_TUTOR_PROVIDER ?? (e.CO_OPENAI_BASE ? "openai" : e.CO_TUTOR_BASE ? "tutor-api" : "local");
  if (provider === "openai" && !e.CO_OPENAI_BASE) problems.push("CO_OPENAI_BASE: required when CO_TUTOR_PROVIDER=openai");
  if (provider === "tutor-api" && !e.CO_TUTOR_BASE) problems.push("CO_TUTOR_BASE: required when CO_TUTOR_PROVIDER=tutor-api");
  if (problems.length > 0) throw new ConfigError(problems);

  const hostForUrl = e.CO_HOST.includes(":") ? `[${e.CO_HOST}]` : e.CO_HOST;
  return {
    environment: e.CO_ENVIRONMENT,
    host: e.CO_HOST,
    port: e.CO_PORT,
    publicBaseUrl: (e.CO_PUBLIC_BASE_URL ?? `http://${hostForUrl}:${e.CO_PORT}`).replace(/\/$/, ""),
    dataDir: e.CO_DATA_DIR,
    database: {
      url: e.CO_DB_URL,
      poolSize: e.CO_DB_POOL_SIZE,
      connectTimeoutMs: e.CO_DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: e.CO_DB_STATEMENT_TIMEOUT_MS,
      preparedStatements: e.CO_DB_PREPARED_STATEMENTS,
    },
    redis: { url: e.CO_REDIS_URL, prefix: e.CO_REDIS_PREFIX },
    neighbours: {
      problemBankBase: e.CO_PROBLEM_BANK_BASE,
      evalBase: e.CO_EVAL_BASE,
      tutorBase: e.CO_TUTOR_BASE,
      serviceToken: e.CO_SERVICE_TOKEN,
      problemBankTimeoutMs: e.CO_PROBLEM_BANK_TIMEOUT_MS,
      problemBankCacheSeconds: e.CO_PROBLEM_BANK_CACHE_SECONDS,
      evalTimeoutMs: e.CO_EVAL_TIMEOUT_MS,
      tutorTimeoutMs: e.CO_TUTOR_TIMEOUT_MS,
    },
    tutor: {
      provider,
      openai: { base: e.CO_OPENAI_BASE, model: e.CO_OPENAI_MODEL, apiKey: e.CO_OPENAI_API_KEY },
      maxConcurrentStreams: e.CO_MAX_CONCURRENT_SSE,
      streamTokenSecret: e.CO_STREAM_TOKEN_SECRET,
    },
    auth: {
      issuer: e.CO_JWT_ISSUER,
      audience: e.CO_JWT_AUDIENCE,
      publicKeyPem: e.CO_JWT_PUBLIC_KEY,
      jwksUrl: e.CO_JWKS_URL,
      secret: e.CO_JWT_SECRET,
    },
    corsOrigins: allowedCorsOrigins(e.CO_ENVIRONMENT === "development", e.CO_CORS_ORIGINS),
    trustProxy: e.CO_TRUST_PROXY,
    rateLimit: { requests: e.CO_RATE_LIMIT_REQUESTS, windowSeconds: e.CO_RATE_LIMIT_WINDOW },
    recommendation: {
      weakness: e.CO_WEIGHT_WEAKNESS,
      novelty: e.CO_WEIGHT_NOVELTY,
      difficulty: e.CO_WEIGHT_DIFFICULTY,
      recency: e.CO_WEIGHT_RECENCY,
    },
    reviewBucketsDays: e.CO_REVIEW_BUCKETS,
    evaluator: {
      poolSize: e.CO_EVAL_POOL_SIZE,
      maxPerUser: e.CO_EVAL_MAX_PER_USER,
      queueLimit: e.CO_EVAL_QUEUE_LIMIT,
      mathQueueLimit: e.CO_EVAL_MATH_QUEUE_LIMIT,
    },
    learning: {
      pacing: e.CO_PACING,
      targetSuccess: e.CO_TARGET_SUCCESS,
      elo: { a: e.CO_ELO_K_A, b: e.CO_ELO_K_B },
      scheduler: e.CO_REVIEW_SCHEDULER,
      retention: e.CO_REVIEW_RETENTION,
      retentionReviews: e.CO_RETENTION_REVIEWS,
    },
    logLevel: e.CO_LOG_LEVEL,
    shutdownGraceMs: e.CO_SHUTDOWN_GRACE_MS,
  };
}

/** Reads the process environment: the single place `process.env` is touched. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  return parseConfig({ ...process.env, ...overrides });
}

/** Test-suite variables (SPEC §13), read here so no other module touches the environment. */
export function testEnvironment(): { dbUrl?: string; redisUrl?: string; browser: "required" | "if-installed" | "skip" } {
  return {
    dbUrl: process.env.CO_TEST_DB_URL || undefined,
    redisUrl: process.env.CO_TEST_REDIS_URL || undefined,
    // CI sets CO_REQUIRE_BROWSER=1 (a missing Chromium fails there); on a machine without it the
    // browser tests are skipped with a notice, so the README's `npm test` passes on a fresh one.
    browser: process.env.CO_SKIP_BROWSER === "1" ? "skip" : process.env.CO_REQUIRE_BROWSER === "1" ? "required" : "if-installed",
  };
}
