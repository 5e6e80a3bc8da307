import { describe, expect, it } from "vitest";
import {
  difficultyCeiling,
  novelty,
  rankCandidates,
  targetDifficulty,
  weakness,
  type Candidate,
  type LearnerFacts,
} from "../../server/src/services/recommendation/scoring.js";

const NOW = new Date("2026-06-01T12:00:00Z");
const DAY = 86_400_000;
const weights = { weakness: 0.4, novelty: 0.2, difficulty: 0.25, recency: 0.15 };

const facts = (overrides: Partial<LearnerFacts> = {}): LearnerFacts => ({
  topicMastery: new Map(),
  attempts: new Map(),
  recent: [],
  hardestPassed: 0,
  recentTopics: new Set(),
  ...overrides,
});
const problem = (id: string, difficulty: number, topics: string[] = ["t"], module: string | null = null): Candidate => ({
  id,
  difficulty,
  topics,
  module,
});

describe("the ranking factors", () => {
  it("weakness is 1 with no mastery, else 1 - mean mastery/100 over the problem's topics", () => {
    expect(weakness(problem("a", 1, ["x", "y"]), facts())).toBe(1);
    expect(weakness(problem("a", 1, ["x", "y"]), facts({ topicMastery: new Map([["x", 80], ["y", 40]]) }))).toBeCloseTo(0.4);
  });

  it("novelty steps down with how recently the problem was attempted", () => {
    const at = (daysAgo: number) => facts({ attempts: new Map([["a", { lastAt: new Date(NOW.getTime() - daysAgo * DAY), everPassed: false }]]) });
    expect(novelty(problem("a", 1), facts(), NOW)).toBe(1);
    expect(novelty(problem("a", 1), at(31), NOW)).toBe(1);
    expect(novelty(problem("a", 1), at(8), NOW)).toBe(0.7);
    expect(novelty(problem("a", 1), at(2), NOW)).toBe(0.3);
    expect(novelty(problem("a", 1), at(0.5), NOW)).toBe(0);
  });

  it("pacing aims harder after > 80 % passes and easier after < 40 %", () => {
    const recent = (passes: boolean[]) => passes.map((passed) => ({ problemId: "p", passed, difficulty: 3 }));
    expect(targetDifficulty(facts({ recent: recent([true, true, true, true, true]) }))).toBe(4);
    expect(targetDifficulty(facts({ recent: recent([false, false, true, false, false]) }))).toBe(2);
    expect(targetDifficulty(facts({ recent: recent([true, false, true, false, true]) }))).toBe(3);
  });
});

describe("the guardrails", () => {
  it("when a learner has passed nothing, the first problem is at most difficulty 2", () => {
    const pick = rankCandidates([problem("hard", 4), problem("mid", 3), problem("easy", 2)], facts(), { now: NOW, weights });
    expect(pick?.candidate.id).toBe("easy");
  });

  it("never offers more than one level above the hardest problem passed", () => {
    expect(difficultyCeiling(facts({ hardestPassed: 3 }))).toBe(4);
    const pick = rankCandidates([problem("five", 5), problem("four", 4)], facts({ hardestPassed: 3 }), { now: NOW, weights });
    expect(pick?.candidate.id).toBe("four");
  });

  it("when a learner fails twice, the next problem is no harder than the failed one", () => {
    const failedTwice = facts({
      hardestPassed: 4,
      recent: [
        { problemId: "f1", passed: false, difficulty: 2 },
        { problemId: "f0", passed: false, difficulty: 3 },
      ],
    });
    expect(difficultyCeiling(failedTwice)).toBe(2);
    const pick = rankCandidates([problem("three", 3), problem("two", 2)], failedTwice, { now: NOW, weights });
    expect(pick?.candidate.id).toBe("two");
  });

  it("in track mode, the earliest module with unsolved problems comes first", () => {
    const solved = facts({ attempts: new Map([["m1-a", { lastAt: new Date(NOW.getTime() - 40 * DAY), everPassed: true }]]), hardestPassed: 1 });
    const candidates = [problem("m2-a", 1, ["x"], "m2"), problem("m1-a", 1, ["x"], "m1"), problem("m1-b", 2, ["x"], "m1")];
    const pick = rankCandidates(candidates, solved, { now: NOW, weights, moduleOrder: ["m1", "m2"] });
    expect(pick?.candidate.id).toBe("m1-b");
  });

  it("breaks ties by problem id and never picks the excluded problem", () => {
    const twins = [problem("b", 1), problem("a", 1), problem("c", 1)];
    expect(rankCandidates(twins, facts(), { now: NOW, weights })?.candidate.id).toBe("a");
    expect(rankCandidates(twins, facts(), { now: NOW, weights, excludeProblemId: "a" })?.candidate.id).toBe("b");
  });

  it("returns null when no candidate is left", () => {
    expect(rankCandidates([problem("a", 1)], facts(), { now: NOW, weights, excludeProblemId: "a" })).toBeNull();
  });

  it("prefers weak topics, by the configured weights", () => {
    const mastery = facts({ topicMastery: new Map([["strong", 95], ["weak", 10]]) });
    const pick = rankCandidates([problem("s", 1, ["strong"]), problem("w", 1, ["weak"])], mastery, { now: NOW, weights });
    expect(pick?.candidate.id).toBe("w");
    const noWeakness = rankCandidates([problem("s", 1, ["strong"]), problem("w", 1, ["weak"])], mastery, {
      now: NOW,
      weights: { ...weights, weakness: 0 },
    });
    expect(noWeakness?.candidate.id).toBe("s");
  });
});
