import { afterAll, describe, expect, it } from "vitest";
import { LocalEvaluator } from "../../server/src/adapters/evaluator/local/index.js";
import { readContentPack } from "../../server/src/content/load-pack.js";

const pack = readContentPack();
const coding = pack.problems.filter((problem) => problem.type === "coding");
const math = pack.problems.filter((problem) => problem.type === "expression" || problem.type === "equation");
const evaluator = new LocalEvaluator({});
afterAll(() => evaluator.close());

describe("the content pack's size", () => {
  it("has a coding track of ≥ 40 problems over ≥ 6 modules and a math track of ≥ 30 over ≥ 4", () => {
    const codingTrack = pack.tracks.find((track) => track.slug === "coding-foundations")!;
    const mathTrack = pack.tracks.find((track) => track.slug === "math-foundations")!;
    expect(codingTrack.modules.length).toBeGreaterThanOrEqual(6);
    expect(mathTrack.modules.length).toBeGreaterThanOrEqual(4);
    expect(coding.length).toBeGreaterThanOrEqual(40);
    expect(math.length).toBeGreaterThanOrEqual(30);
    expect(new Set(coding.map((problem) => problem.module)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(math.map((problem) => problem.module))).toEqual(new Set(["simplification", "equations", "derivatives", "integrals"]));
    const systems = pack.tracks.find((track) => track.subject === "systems")!;
    expect(systems.modules.every((module) => module.outcomes.length > 0)).toBe(true);
  });

  it("gives every coding problem ≥ 3 visible and ≥ 5 hidden tests, three hints, topics and a difficulty", () => {
    for (const problem of coding) {
      expect(problem.visible_tests!.length, problem.id).toBeGreaterThanOrEqual(3);
      expect(problem.hidden_tests.length, problem.id).toBeGreaterThanOrEqual(5);
      expect(Object.values(problem.hints).every((hint) => hint.length > 0), problem.id).toBe(true);
      expect(problem.topics.length, problem.id).toBeGreaterThan(0);
      expect(problem.difficulty).toBeGreaterThanOrEqual(1);
    }
  });
});

describe("every reference solution passes its own tests through the local evaluator", () => {
  for (const language of ["javascript", "python"] as const) {
    it.each(coding.map((problem) => [problem.id, problem] as const))(`${language}: %s`, async (_id, problem) => {
      const result = await evaluator.evaluateCode({
        problemId: problem.id,
        language,
        code: problem.reference_solutions![language],
        entrypoint: problem.entrypoint![language],
        visibleTests: problem.visible_tests!,
        hiddenTests: problem.hidden_tests,
        compare: problem.compare ?? "exact",
        timeoutMs: 20_000,
      });
      expect(result.error?.message ?? "", problem.id).toBe("");
      expect(result.status, problem.id).toBe("passed");
    });
  }
});

describe("every math answer is accepted when written another way", () => {
  it.each(math.map((problem) => [problem.id, problem] as const))("%s", async (_id, problem) => {
    expect(problem.equivalent_answer).not.toBe(problem.solution);
    const result = await evaluator.evaluateMath({
      problemId: problem.id,
      problemType: problem.type as "expression" | "equation",
      userAnswer: problem.equivalent_answer!,
      userSteps: [],
      expectedAnswer: problem.solution!,
      variables: problem.variables ?? [],
      tolerance: problem.tolerance ?? 1e-6,
    });
    expect(result, problem.id).toMatchObject({ correct: true });
  });
});
