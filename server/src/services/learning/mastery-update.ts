import { nextEma, scoreOf } from "./ema.js";
import { kFactor, predictPass, type EloParams } from "./elo.js";

export interface KeyState {
  keyType: "topic" | "outcome";
  keyId: string;
  ema: number;
  score: number;
  skill: number;
  attempts: number;
}

export interface DifficultyState {
  beta: number;
  attempts: number;
}

export interface MasteryOutcome {
  keys: KeyState[];
  difficulty: DifficultyState;
  /** P(pass) the model predicted before this observation. */
  predicted: number;
}

/**
 * One graded attempt applied to every key of the problem and to the problem itself:
 * the EMA moves (§8.4), and Elo corrects θ of each key and β of the problem by the same
 * surprise x − P, each with its own K(n). P comes from the topic keys; outcome keys share
 * the surprise (the same attempt exercised them) but never feed the prediction.
 */
export function applyObservation(keys: readonly KeyState[], difficulty: DifficultyState, observation: 0 | 1, elo: EloParams): MasteryOutcome {
  const topicSkills = keys.filter((key) => key.keyType === "topic").map((key) => key.skill);
  const predicted = predictPass(topicSkills, difficulty.beta);
  const surprise = observation - predicted;
  return {
    predicted,
    keys: keys.map((key) => {
      const ema = nextEma(key.ema, observation);
      return { ...key, ema, score: scoreOf(ema), skill: key.skill + kFactor(key.attempts, elo) * surprise, attempts: key.attempts + 1 };
    }),
    difficulty: { beta: difficulty.beta - kFactor(difficulty.attempts, elo) * surprise, attempts: difficulty.attempts + 1 },
  };
}
