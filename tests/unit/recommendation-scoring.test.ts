import { describe, expect, it } from "vitest";
import {
  difficultyCeiling,
  novelty,
  predictedSuccess,
  rankCandidates,
  recency,
  successPacing,
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

  it("a topic without mastery counts as 0 in the weakness mean", () => {
    expect(weakness(problem("a", 1, ["x", "y"]), facts({ topicMastery: new Map([["x", 100]]) }))).toBeCloseTo(0.5);
    expect(weakness(problem("a", 1, []), facts({ topicMastery: new Map([["x", 100]]) }))).toBe(1);
  });

  it("recency is the share of the problem's topics not practised in the last 24 h", () => {
    const practised = facts({ recentTopics: new Set(["x"]) });
    expect(recency(problem("a", 1, ["y", "z"]), practised)).toBe(1);
    expect(recency(problem("a", 1, ["x", "y"]), practised)).toBe(0.5);
    expect(recency(problem("a", 1, ["x"]), practised)).toBe(0);
  });

  it("when a topic was practised today, a problem on another topic is preferred", () => {
    const practised = facts({ recentTopics: new Set(["arrays"]) });
    const candidates = [problem("a-arrays", 1, ["arrays"]), problem("b-strings", 1, ["strings"])];
    expect(rankCandidates(candidates, practised, { now: NOW, weights })?.candidate.id).toBe("b-strings");
    expect(rankCandidates(candidates, practised, { now: NOW, weights: { ...weights, recency: 0 } })?.candidate.id).toBe("a-arrays");
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

  it("when nothing is within the difficulty ceiling, there is no candidate rather than a harder problem", () => {
    expect(rankCandidates([problem("four", 4), problem("three", 3)], facts(), { now: NOW, weights })).toBeNull();
    expect(rankCandidates([problem("five", 5)], facts({ hardestPassed: 3 }), { now: NOW, weights })).toBeNull();
  });

  it("when a learner fails twice and the last failed problem is unknown, the earlier failure caps the next pick", () => {
    const failedTwice = (older: number | null) =>
      facts({
        hardestPassed: 4,
        recent: [
          { problemId: "gone", passed: false, difficulty: null },
          { problemId: "f0", passed: false, difficulty: older },
        ],
      });
    expect(difficultyCeiling(failedTwice(2))).toBe(2);
    // Neither failure known: no step above the hardest level passed.
    expect(difficultyCeiling(failedTwice(null))).toBe(4);
  });

  it("in track mode, the ceiling applies before module order: an earlier module with only harder problems is passed over", () => {
    const candidates = [problem("m1-hard", 4, ["x"], "m1"), problem("m2-easy", 1, ["x"], "m2"), problem("m3-easy", 1, ["x"], "m3")];
    const pick = rankCandidates(candidates, facts(), { now: NOW, weights, moduleOrder: ["m1", "m2", "m3"] });
    expect(pick?.candidate.id).toBe("m2-easy");
  });

  it("in track mode, when every unsolved problem is above the ceiling, there is no candidate", () => {
    const solved = facts({ attempts: new Map([["m1-a", { lastAt: new Date(NOW.getTime() - 40 * DAY), everPassed: true }]]), hardestPassed: 1 });
    const candidates = [problem("m1-a", 1, ["x"], "m1"), problem("m2-a", 3, ["x"], "m2")];
    expect(rankCandidates(candidates, solved, { now: NOW, weights, moduleOrder: ["m1", "m2"] })).toBeNull();
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

describe("pacing by predicted success", () => {
  const success = { mode: "success" as const, target: 0.7 };

  it("predicts σ(mean θ − β), with β from the authored difficulty until the problem is graded", () => {
    const skilled = facts({ topicSkill: new Map([["x", 1], ["y", 0]]) });
    expect(predictedSuccess(problem("a", 3, ["x", "y"]), skilled)).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 12);
    const graded = facts({ topicSkill: new Map([["x", 1]]), problemBeta: new Map([["a", 1]]) });
    expect(predictedSuccess(problem("a", 5, ["x"]), graded)).toBe(0.5);
  });

  it("the pacing term is 1 at the target and falls linearly to 0 at the farther end", () => {
    expect(successPacing(0.7, 0.7)).toBe(1);
    expect(successPacing(0, 0.7)).toBeCloseTo(0, 12);
    expect(successPacing(1, 0.7)).toBeCloseTo(1 - 0.3 / 0.7, 12);
  });

  it("when every factor but pacing ties, the problem nearest the target success wins", () => {
    // A new learner (θ 0): difficulty 1 → P 0.82, difficulty 2 → P 0.68 (nearest 0.7).
    const candidates = [problem("a", 1), problem("b", 2)];
    expect(rankCandidates(candidates, facts(), { now: NOW, weights, pacing: success })?.candidate.id).toBe("b");
    expect(rankCandidates(candidates, facts(), { now: NOW, weights, pacing: { mode: "bands" } })?.candidate.id).toBe("a");
  });

  it("the guardrails hold under success pacing: nothing above the ceiling, however close to the target", () => {
    // Skill 3 makes a difficulty-5 problem a 0.82 pass, but a new learner's ceiling is 2.
    const strong = facts({ topicSkill: new Map([["t", 3]]) });
    const pick = rankCandidates([problem("easy", 1), problem("hard", 5)], strong, { now: NOW, weights, pacing: success });
    expect(pick?.candidate.id).toBe("easy");
  });
});
