/**
 * Elo estimation of learner skill θ (per user and topic) and problem difficulty β, the
 * model of Pelánek's adaptive-practice systems: P(pass) = σ(mean θ over the problem's
 * topics − β), and after an observation x every topic's θ moves by K(n)·(x − P) while β
 * moves by −K(n)·(x − P), with the uncertainty K(n) = a / (1 + b·n) shrinking as the key
 * (or the problem) collects attempts.
 */

export interface EloParams {
  /** K(0): how far the first observation moves an estimate. */
  a: number;
  /** How fast K decays with the attempts already seen. */
  b: number;
}

export const DEFAULT_ELO: EloParams = { a: 0.8, b: 0.05 };

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** K(n) = a / (1 + b·n). */
export const kFactor = (attempts: number, params: EloParams): number => params.a / (1 + params.b * attempts);

/** Logit distance between two authored difficulty levels. */
export const DIFFICULTY_STEP = 0.75;

/**
 * The starting β of a problem from its authored difficulty 1–5: (d − 3)·0.75 logits, so a
 * learner of skill 0 passes a difficulty-3 problem with P = 0.5, a 1 with 0.82 and a 5
 * with 0.18. Only a prior: every graded attempt moves it.
 */
export const betaOfDifficulty = (difficulty: number): number => (difficulty - 3) * DIFFICULTY_STEP;

/** Predicted P(pass): σ(mean θ − β). A problem without topics is judged on β alone. */
export function predictPass(skills: readonly number[], beta: number): number {
  const mean = skills.length === 0 ? 0 : skills.reduce((sum, theta) => sum + theta, 0) / skills.length;
  return sigmoid(mean - beta);
}

export interface SkillEstimate {
  theta: number;
  /** Attempts already observed on this key. */
  attempts: number;
}

export interface EloObservation {
  skills: readonly SkillEstimate[];
  beta: number;
  /** Attempts already observed on the problem, over all learners. */
  problemAttempts: number;
  observation: 0 | 1;
}

export interface EloUpdate {
  /** The prediction the update corrected. */
  predicted: number;
  /** New θ per skill, in the order given. */
  thetas: number[];
  beta: number;
}

/** One online step: the prediction from the current estimates, then each estimate moves by its own K. */
export function eloUpdate(input: EloObservation, params: EloParams): EloUpdate {
  const predicted = predictPass(
    input.skills.map((skill) => skill.theta),
    input.beta,
  );
  const surprise = input.observation - predicted;
  return {
    predicted,
    thetas: input.skills.map((skill) => skill.theta + kFactor(skill.attempts, params) * surprise),
    beta: input.beta - kFactor(input.problemAttempts, params) * surprise,
  };
}
