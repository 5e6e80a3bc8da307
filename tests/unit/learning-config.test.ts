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

describe("learning engine configuration", () => {
  it("defaults to success pacing at 0.7, Elo K = 0.8 / (1 + 0.05·n), FSRS at 0.9 retention, retention reviews off", () => {
    expect(parseConfig({}).learning).toEqual({
      pacing: "success",
      targetSuccess: 0.7,
      elo: { a: 0.8, b: 0.05 },
      scheduler: "fsrs",
      retention: 0.9,
      retentionReviews: false,
    });
  });

  it("takes the fallbacks and overrides", () => {
    const config = parseConfig({
      CO_PACING: "bands",
      CO_REVIEW_SCHEDULER: "buckets",
      CO_TARGET_SUCCESS: "0.8",
      CO_ELO_K_A: "1",
      CO_ELO_K_B: "0",
      CO_REVIEW_RETENTION: "0.85",
      CO_RETENTION_REVIEWS: "true",
    });
    expect(config.learning).toEqual({
      pacing: "bands",
      targetSuccess: 0.8,
      elo: { a: 1, b: 0 },
      scheduler: "buckets",
      retention: 0.85,
      retentionReviews: true,
    });
  });

  it("when a value is out of range or unknown, start-up stops naming the variable", () => {
    const problems = problemsOf({ CO_PACING: "fast", CO_TARGET_SUCCESS: "1", CO_REVIEW_RETENTION: "0", CO_REVIEW_SCHEDULER: "sm2", CO_ELO_K_A: "0" });
    for (const name of ["CO_PACING", "CO_TARGET_SUCCESS", "CO_REVIEW_RETENTION", "CO_REVIEW_SCHEDULER", "CO_ELO_K_A"]) {
      expect(problems.some((problem) => problem.startsWith(`${name}:`)), name).toBe(true);
    }
  });
});
