import { normal, seededRandom } from "./random.js";

/**
 * The simulated learners' ground truth. It is deliberately not the CO's model: a problem
 * has a discrimination as well as a difficulty (2PL rather than Elo's 1PL), its true
 * difficulty is not the authored level's logit, a slip caps success below 1 (4PL), and a
 * remembered solution helps on top of skill. Every parameter is listed in the README.
 */
export const MODEL = {
  /** Learner ability α ~ N(mean, sd); a topic's initial skill θ = α + N(0, topicSd). */
  abilityMean: -0.8,
  abilitySd: 0.6,
  topicSd: 0.5,
  /** True difficulty b = step·(authored − 3) + N(0, sd); discrimination a ~ U(min, max). */
  difficultyStep: 1.0,
  difficultySd: 0.5,
  discriminationMin: 0.7,
  discriminationMax: 1.5,
  /** Chance of failing a problem one could solve (the 4PL upper asymptote). */
  slip: 0.05,
  /** Skill gain per attempt at the best distance, peaking at true success 0.85 (logit 1.73), width in logits. */
  gainRate: 0.5,
  gainPeakLogit: Math.log(0.85 / 0.15),
  gainWidth: 1.5,
  /** A failed attempt (with its feedback) teaches this share of a pass. */
  failGainShare: 0.5,
  /** Share of an attempt's gain that also lifts every topic of the track (general ability). */
  transferShare: 0.2,
  /** How much of the gain a remembered solution takes away (recall 1: this share). */
  recallDiscount: 0.5,
  /** Memory of a solved problem: stability (days) after the first pass, growth on a later pass, shrink on a failure. */
  initialStability: 1,
  stabilityGrowth: 4,
  failureStabilityFactor: 0.5,
  minStability: 0.5,
  /** Mastery: true P(pass) of a median-difficulty problem of the topic (discrimination 1) at least this. */
  masteryThreshold: 0.9,
} as const;

const DAY_MS = 86_400_000;
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export interface ProblemTruth {
  id: string;
  topics: string[];
  /** True difficulty (logits) and discrimination. */
  b: number;
  a: number;
}

/** The true parameters of a track's problems, drawn once per seed and shared by every policy. */
export function problemTruths(problems: { id: string; topics: string[]; difficulty: number }[], seed: number): ProblemTruth[] {
  const random = seededRandom(seed);
  return problems.map((problem) => ({
    id: problem.id,
    topics: problem.topics,
    b: MODEL.difficultyStep * (problem.difficulty - 3) + MODEL.difficultySd * normal(random),
    a: MODEL.discriminationMin + (MODEL.discriminationMax - MODEL.discriminationMin) * random(),
  }));
}

interface Memory {
  stability: number;
  lastAt: number;
}

/** One simulated learner: latent skill per topic, memory per problem, and its own seeded draws. */
export class SimLearner {
  private readonly skill = new Map<string, number>();
  private readonly memory = new Map<string, Memory>();
  private readonly random: () => number;
  readonly passed = new Set<string>();

  constructor(
    seed: number,
    private readonly problems: ProblemTruth[],
    private readonly medianB: Map<string, number>,
  ) {
    this.random = seededRandom(seed);
    const ability = MODEL.abilityMean + MODEL.abilitySd * normal(this.random);
    for (const topic of medianB.keys()) this.skill.set(topic, ability + MODEL.topicSd * normal(this.random));
  }

  static medianDifficulty(problems: ProblemTruth[]): Map<string, number> {
    const byTopic = new Map<string, number[]>();
    for (const problem of problems) for (const topic of problem.topics) byTopic.set(topic, [...(byTopic.get(topic) ?? []), problem.b]);
    return new Map([...byTopic].map(([topic, bs]) => [topic, median(bs)]));
  }

  private logit(problem: ProblemTruth): number {
    const mean = problem.topics.reduce((sum, topic) => sum + this.skill.get(topic)!, 0) / problem.topics.length;
    return problem.a * (mean - problem.b);
  }

  /** Exponential forgetting of this problem's solution: e^(−t/S); 0 before it was ever solved. */
  recall(problemId: string, at: number): number {
    const memory = this.memory.get(problemId);
    return memory ? Math.exp(-(at - memory.lastAt) / (memory.stability * DAY_MS)) : 0;
  }

  /** True P(pass): the skill or the remembered solution carries it, unless the learner slips. */
  pPass(problem: ProblemTruth, at: number): number {
    const bySkill = sigmoid(this.logit(problem));
    return (1 - MODEL.slip) * (1 - (1 - bySkill) * (1 - this.recall(problem.id, at)));
  }

  /** One graded attempt: the outcome is drawn, then skill and memory move. */
  attempt(problem: ProblemTruth, at: number): boolean {
    const recall = this.recall(problem.id, at);
    const passed = this.random() < this.pPass(problem, at);
    // Each topic learns by its own distance from the problem: a weak topic paired with a
    // strong one still meets a problem at its level. Recalling a remembered solution is
    // not re-deriving it: the gain shrinks with recall.
    const share = (passed ? 1 : MODEL.failGainShare) * (1 - MODEL.recallDiscount * recall);
    let total = 0;
    for (const topic of problem.topics) {
      const distance = problem.a * (this.skill.get(topic)! - problem.b) - MODEL.gainPeakLogit;
      const gain = MODEL.gainRate * Math.exp(-(distance * distance) / (2 * MODEL.gainWidth ** 2)) * share;
      this.skill.set(topic, this.skill.get(topic)! + gain);
      total += gain;
    }
    // Transfer: some of what is learnt lifts the learner's general ability, every topic alike.
    const transfer = (MODEL.transferShare * total) / problem.topics.length;
    for (const [topic, theta] of this.skill) this.skill.set(topic, theta + transfer);
    const memory = this.memory.get(problem.id);
    if (passed) {
      this.passed.add(problem.id);
      // Spacing effect: a successful review grows stability the more, the more had been forgotten.
      const stability = memory ? memory.stability * (1 + MODEL.stabilityGrowth * (1 - recall)) : MODEL.initialStability;
      this.memory.set(problem.id, { stability: Math.max(stability, memory?.stability ?? 0), lastAt: at });
    } else if (memory) {
      this.memory.set(problem.id, { stability: Math.max(MODEL.minStability, memory.stability * MODEL.failureStabilityFactor), lastAt: at });
    }
    return passed;
  }

  /** Topics not yet mastered, with their skill and median difficulty (diagnostics). */
  unmastered(): [string, number, number][] {
    return [...this.medianB]
      .filter(([topic, b]) => (1 - MODEL.slip) * sigmoid(this.skill.get(topic)! - b) < MODEL.masteryThreshold)
      .map(([topic, b]) => [topic, Number(this.skill.get(topic)!.toFixed(2)), Number(b.toFixed(2))]);
  }

  /** Share of the track's topics truly mastered now. */
  masteredShare(): number {
    let mastered = 0;
    for (const [topic, b] of this.medianB) {
      if ((1 - MODEL.slip) * sigmoid(this.skill.get(topic)! - b) >= MODEL.masteryThreshold) mastered++;
    }
    return mastered / this.medianB.size;
  }

  /** True recall over every problem ever passed, at `at`. */
  retention(at: number): number {
    if (this.passed.size === 0) return 0;
    let total = 0;
    for (const problem of this.problems) if (this.passed.has(problem.id)) total += this.pPass(problem, at);
    return total / this.passed.size;
  }
}
