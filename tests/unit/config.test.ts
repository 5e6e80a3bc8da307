import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../server/src/config/config.js";

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe("configuration", () => {
  it("has the documented defaults", () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      environment: "development",
      host: "127.0.0.1",
      port: 8000,
      publicBaseUrl: "http://127.0.0.1:8000",
      dataDir: "./.co-data",
      rateLimit: { requests: 60, windowSeconds: 60 },
      tutor: { provider: "local", maxConcurrentStreams: 2 },
      recommendation: { weakness: 0.4, novelty: 0.2, difficulty: 0.25, recency: 0.15 },
      reviewBucketsDays: [1, 3, 7, 21],
      auth: { issuer: "api.scimigo.com", audience: "scimigo" },
    });
    expect(config.corsOrigins).toContain("http://localhost:5173");
  });

  it.each([
    ["CO_PORT", "abc"],
    ["CO_PORT", "70000"],
    ["CO_ENVIRONMENT", "staging"],
    ["CO_DB_URL", "not a url"],
    ["CO_RATE_LIMIT_REQUESTS", "0"],
    ["CO_WEIGHT_NOVELTY", "-1"],
    ["CO_REVIEW_BUCKETS", "1,-3"],
    ["CO_LOG_LEVEL", "loud"],
    ["CO_JWT_SECRET", "short"],
    ["CO_CORS_ORIGINS", "https://app.example.com/"],
    ["CO_CORS_ORIGINS", "app.example.com"],
    ["CO_TRUST_PROXY", "true"],
  ])("names %s when it is %j", (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join("\n")).toContain(name);
  });

  it("in development, allows each localhost origin also as 127.0.0.1, and only in development", () => {
    const origins = { CO_CORS_ORIGINS: "https://app.example.com,http://localhost:5173" };
    expect(parseConfig({ ...origins, CO_ENVIRONMENT: "development" }).corsOrigins).toEqual([
      "https://app.example.com",
      "http://localhost:5173",
      "http://127.0.0.1:5173",
    ]);
    expect(parseConfig({ ...origins, CO_ENVIRONMENT: "test" }).corsOrigins).toEqual(["https://app.example.com", "http://localhost:5173"]);
  });

  it("prepares database statements unless CO_DB_PREPARED_STATEMENTS is false (a pooler that cannot keep them)", () => {
    expect(parseConfig({}).database.preparedStatements).toBe(true);
    expect(parseConfig({ CO_DB_PREPARED_STATEMENTS: "false" }).database.preparedStatements).toBe(false);
    expect(problemsOf({ CO_DB_PREPARED_STATEMENTS: "sometimes" }).join(" ")).toMatch(/CO_DB_PREPARED_STATEMENTS/);
  });

  it("trusts no proxy by default, and a hop count or addresses when told", () => {
    expect(parseConfig({}).trustProxy).toBe(false);
    expect(parseConfig({ CO_TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(parseConfig({ CO_TRUST_PROXY: "loopback, 10.0.0.0/8" }).trustProxy).toBe("loopback, 10.0.0.0/8");
  });

  it("accepts decimal and zero review intervals", () => {
    expect(parseConfig({ CO_REVIEW_BUCKETS: "0, 0.5, 2" }).reviewBucketsDays).toEqual([0, 0.5, 2]);
  });

  it("refuses production without an asymmetric key, or with an HS256 secret", () => {
    expect(problemsOf({ CO_ENVIRONMENT: "production" }).join()).toContain("CO_JWT_PUBLIC_KEY");
    expect(problemsOf({ CO_ENVIRONMENT: "production", CO_JWKS_URL: "https://id.example.com/jwks", CO_JWT_SECRET: "s".repeat(40) }).join()).toContain(
      "CO_JWT_SECRET",
    );
    expect(parseConfig({ CO_ENVIRONMENT: "production", CO_JWKS_URL: "https://id.example.com/jwks", CO_STREAM_TOKEN_SECRET: "t".repeat(32) }).evaluator).toEqual({
      poolSize: 2,
      maxPerUser: 1,
      queueLimit: 32,
      mathQueueLimit: 256,
    });
  });

  it("picks the tutor provider from what is configured", () => {
    expect(parseConfig({ CO_OPENAI_BASE: "http://127.0.0.1:11434/v1" }).tutor.provider).toBe("openai");
    expect(parseConfig({ CO_TUTOR_BASE: "http://127.0.0.1:9000" }).tutor.provider).toBe("tutor-api");
    expect(problemsOf({ CO_TUTOR_PROVIDER: "openai" }).join()).toContain("CO_OPENAI_BASE");
  });
});
