import { describe, expect, it } from "vitest";
import { composeHint, toDeltas } from "../../server/src/adapters/tutor/hint-ladder.js";
import { ConfigError, parseConfig } from "../../server/src/config/config.js";
import type { TutorRequest } from "../../server/src/ports/tutor.js";

const request = (overrides: Partial<TutorRequest> = {}): TutorRequest => ({
  turnId: "t",
  problem: {
    id: "p",
    subject: "coding",
    title: "P",
    statement: "S",
    type: "coding",
    topics: [],
    hints: { "1": "Look at the previous value.", "2": "Keep a running total.", "3": "total += x; append total." },
  },
  hintLevel: 1,
  instruction: "nudge",
  lastEval: null,
  message: null,
  ...overrides,
});

describe("the local hint ladder", () => {
  it("gives the authored hints up to the level, never above it", () => {
    expect(composeHint(request({ hintLevel: 1 }))).toBe("**Hint 1.** Look at the previous value.");
    const three = composeHint(request({ hintLevel: 3 }));
    expect(three).toContain("**Hint 2.** Keep a running total.");
    expect(three).toContain("**Hint 3.** total += x; append total.");
  });

  it("tailors the hint to failing categories and the first failing visible test", () => {
    const text = composeHint(
      request({ lastEval: { status: "failed", categories: ["minor_issues"], firstFailure: { input: [[1, 2]], expected: [1, 3], actual: [1, 2] } } }),
    );
    expect(text).toContain("You are close");
    expect(text).toContain("`[[1,2]]`");
    expect(text).toContain("`[1,3]` was expected");
  });

  it("splits markdown into deltas that join back to exactly the text", () => {
    const text = "**Hint 1.** Look  at\n\nthe *previous* value. ";
    const deltas = toDeltas(text);
    expect(deltas.length).toBeGreaterThan(4);
    expect(deltas.join("")).toBe(text);
    expect(toDeltas("")).toEqual([]);
  });
});

describe("CO_STREAM_TOKEN_SECRET", () => {
  const production = { CO_ENVIRONMENT: "production", CO_JWKS_URL: "https://id.example.com/jwks" };

  it("is required in production, naming the variable", () => {
    expect(() => parseConfig(production)).toThrow(ConfigError);
    expect(() => parseConfig(production)).toThrow(/CO_STREAM_TOKEN_SECRET/);
    expect(parseConfig({ ...production, CO_STREAM_TOKEN_SECRET: "s".repeat(32) }).tutor.streamTokenSecret).toBe("s".repeat(32));
  });

  it("must be at least 32 characters, and may be unset outside production", () => {
    expect(() => parseConfig({ CO_STREAM_TOKEN_SECRET: "short" })).toThrow(/CO_STREAM_TOKEN_SECRET/);
    expect(parseConfig({}).tutor.streamTokenSecret).toBeUndefined();
  });
});
