import { describe, expect, it } from "vitest";
import { betaOfDifficulty, DEFAULT_ELO, eloUpdate, kFactor, predictPass } from "../../server/src/services/learning/elo.js";
import { EMA_START, nextEma, scoreOf } from "../../server/src/services/learning/ema.js";
import { applyObservation, type KeyState } from "../../server/src/services/learning/mastery-update.js";

describe("the Elo arithmetic, against hand-computed values", () => {
  it("K(n) = 0.8 / (1 + 0.05·n) by default, and follows a and b", () => {
    expect(kFactor(0, DEFAULT_ELO)).toBe(0.8);
    expect(kFactor(20, DEFAULT_ELO)).toBeCloseTo(0.4, 12);
    expect(kFactor(10, DEFAULT_ELO)).toBeCloseTo(0.8 / 1.5, 12);
    expect(kFactor(4, { a: 1, b: 0.25 })).toBe(0.5);
  });

  it("authored difficulty maps onto logits as (d − 3)·0.75", () => {
    expect([1, 2, 3, 4, 5].map(betaOfDifficulty)).toEqual([-1.5, -0.75, 0, 0.75, 1.5]);
    // A learner of skill 0: 0.82 on a difficulty 1, 0.5 on a 3, 0.18 on a 5.
    expect(predictPass([0], betaOfDifficulty(1))).toBeCloseTo(0.817574, 6);
    expect(predictPass([0], betaOfDifficulty(5))).toBeCloseTo(0.182426, 6);
  });

  it("a first pass of a new learner on a new median problem moves θ up and β down by 0.8·0.5", () => {
    const update = eloUpdate({ skills: [{ theta: 0, attempts: 0 }], beta: 0, problemAttempts: 0, observation: 1 }, DEFAULT_ELO);
    expect(update.predicted).toBe(0.5);
    expect(update.thetas).toEqual([0.4]);
    expect(update.beta).toBe(-0.4);
  });

  it("P uses the mean θ over the topics, and each topic moves by its own K(n)", () => {
    // mean θ 0, β 0.75: P = 1 / (1 + e^0.75) = 0.320821; a failure: surprise −0.320821.
    const update = eloUpdate(
      { skills: [{ theta: 1, attempts: 20 }, { theta: -1, attempts: 0 }], beta: 0.75, problemAttempts: 10, observation: 0 },
      DEFAULT_ELO,
    );
    expect(update.predicted).toBeCloseTo(0.320821, 6);
    expect(update.thetas[0]).toBeCloseTo(1 - 0.4 * 0.320821, 6); // 0.871672
    expect(update.thetas[1]).toBeCloseTo(-1 - 0.8 * 0.320821, 6); // −1.256657
    expect(update.beta).toBeCloseTo(0.75 + (0.8 / 1.5) * 0.320821, 6); // 0.921105
  });

  it("the EMA starts at 0.5 and moves a fifth of the way: 0.5 → 0.4 → 0.32 → 0.456", () => {
    expect(EMA_START).toBe(0.5);
    const steps = [0, 0, 1].reduce<number[]>((acc, x) => [...acc, nextEma(acc.at(-1) ?? null, x as 0 | 1)], []);
    expect(steps.map((ema) => Number(ema.toFixed(6)))).toEqual([0.4, 0.32, 0.456]);
    expect(scoreOf(0.456)).toBe(46);
  });

  it("one observation moves the EMA and θ of every key, predicts from topics only, and counts attempts", () => {
    const keys: KeyState[] = [
      { keyType: "outcome", keyId: "o", ema: 0.5, score: 50, skill: 3, attempts: 0 },
      { keyType: "topic", keyId: "t", ema: 0.5, score: 50, skill: 0, attempts: 0 },
    ];
    const outcome = applyObservation(keys, { beta: 0, attempts: 0 }, 1, DEFAULT_ELO);
    // The outcome's θ of 3 does not enter P: σ(0 − 0) = 0.5.
    expect(outcome.predicted).toBe(0.5);
    expect(outcome.keys.map((key) => [key.keyId, key.ema, key.score, key.skill, key.attempts])).toEqual([
      ["o", 0.6, 60, 3.4, 1],
      ["t", 0.6, 60, 0.4, 1],
    ]);
    expect(outcome.difficulty).toEqual({ beta: -0.4, attempts: 1 });
  });
});
