/**
 * Pure ranking of §8.2: no I/O, so every rule is unit-testable and the service's
 * database cost stays a fixed number of queries whatever the number of candidates.
 */
import { betaOfDifficulty, predictPass } from "../learning/elo.js";

export interface Candidate {
  id: string;
  difficulty: number;
  topics: string[];
  module: string | null;
}

export interface Attempt {
  lastAt: Date;
  everPassed: boolean;
}

export interface RecentSubmission {
  problemId: string;
  passed: boolean;
  /** Difficulty of the submission's problem, when known. */
  difficulty: number | null;
}

export interface LearnerFacts {
  /** Topic → mastery score 0–100. */
  topicMastery: Map<string, number>;
  /** Topic → Elo skill θ; a topic never attempted is 0. Only success pacing reads it. */
  topicSkill?: Map<string, number>;
  /** Problem → Elo difficulty β; a problem never graded starts from its authored difficulty. */
  problemBeta?: Map<string, number>;
  /** Problem id → attempts summary (every problem the learner tried in this subject). */
  attempts: Map<string, Attempt>;
  /** Newest first, at most 5. */
  recent: RecentSubmission[];
  /** Hardest difficulty the learner has passed in this subject; 0 when none. */
  hardestPassed: number;
  /** Topics practised in the last 24 h. */
  recentTopics: Set<string>;
}

export interface Weights {
  weakness: number;
  novelty: number;
  difficulty: number;
  recency: number;
}

/**
 * How the pacing term is computed: `success` scores a candidate by how close its
 * predicted P(pass) is to the target; `bands` is the replaced rule (the last five
 * submissions' pass rate picks a target difficulty).
 */
export type Pacing = { mode: "success"; target: number } | { mode: "bands" };

export interface RankingContext {
  now: Date;
  weights: Weights;
  /** Default: bands. */
  pacing?: Pacing;
  /** Track mode: modules in order; only the earliest module with unsolved problems under the ceiling competes. */
  moduleOrder?: string[];
  excludeProblemId?: string | null;
}

const DAY_MS = 86_400_000;

/** 1 − mean topic mastery/100 over the candidate's topics; a topic not yet mastered counts as 0. */
export function weakness(candidate: Candidate, facts: LearnerFacts): number {
  if (candidate.topics.length === 0) return 1;
  const total = candidate.topics.reduce((sum, topic) => sum + (facts.topicMastery.get(topic) ?? 0), 0);
  return 1 - total / candidate.topics.length / 100;
}

export function novelty(candidate: Candidate, facts: LearnerFacts, now: Date): number {
  const attempt = facts.attempts.get(candidate.id);
  if (!attempt) return 1;
  const age = now.getTime() - attempt.lastAt.getTime();
  if (age > 30 * DAY_MS) return 1;
  if (age > 7 * DAY_MS) return 0.7;
  if (age > DAY_MS) return 0.3;
  return 0;
}

/** The difficulty pacing aims at: harder after a streak of passes, easier after failures. */
export function targetDifficulty(facts: LearnerFacts): number {
  if (facts.recent.length === 0) return 1;
  const known = facts.recent.map((submission) => submission.difficulty).filter((d): d is number => d !== null);
  const level = known.length > 0 ? Math.round(known.reduce((sum, d) => sum + d, 0) / known.length) : Math.max(1, facts.hardestPassed);
  const passRate = facts.recent.filter((submission) => submission.passed).length / facts.recent.length;
  if (passRate > 0.8) return Math.min(5, level + 1);
  if (passRate < 0.4) return Math.max(1, level - 1);
  return level;
}

export function pacing(candidate: Candidate, target: number): number {
  return 1 - Math.abs(candidate.difficulty - target) / 4;
}

/** Predicted P(pass) of the learner on the candidate: σ(mean θ over its topics − β). */
export function predictedSuccess(candidate: Candidate, facts: LearnerFacts): number {
  const skills = candidate.topics.map((topic) => facts.topicSkill?.get(topic) ?? 0);
  return predictPass(skills, facts.problemBeta?.get(candidate.id) ?? betaOfDifficulty(candidate.difficulty));
}

/** 1 at the target success rate, falling linearly to 0 at the farther of P = 0 or P = 1. */
export function successPacing(predicted: number, target: number): number {
  return 1 - Math.abs(predicted - target) / Math.max(target, 1 - target);
}

export function recency(candidate: Candidate, facts: LearnerFacts): number {
  if (candidate.topics.length === 0) return 1;
  const practised = candidate.topics.filter((topic) => facts.recentTopics.has(topic)).length;
  return 1 - practised / candidate.topics.length;
}

/**
 * The hardest difficulty allowed now (guardrails of §8.2.3). After two failures in a row
 * the cap is the last failed problem's difficulty. Should that be unknown (a problem
 * neither the configured bank nor the local table describes), the earlier failure's
 * stands in, and failing that the hardest level passed: the rule is never dropped.
 */
export function difficultyCeiling(facts: LearnerFacts): number {
  let ceiling = facts.hardestPassed > 0 ? facts.hardestPassed + 1 : 2;
  const [last, previous] = facts.recent;
  if (last && previous && !last.passed && !previous.passed) {
    ceiling = Math.min(ceiling, last.difficulty ?? previous.difficulty ?? Math.max(1, facts.hardestPassed));
  }
  return ceiling;
}

export interface RankedCandidate {
  candidate: Candidate;
  score: number;
}

/**
 * The problems the guardrails allow, in this order: the difficulty ceiling first, then
 * (track mode) only the unsolved ones of the earliest module that still has an unsolved
 * problem under the ceiling. Empty when nothing is allowed — never relaxed, so a learner
 * is not offered a problem harder than the rules permit.
 */
export function eligibleCandidates(candidates: Candidate[], facts: LearnerFacts, context: RankingContext): Candidate[] {
  const ceiling = difficultyCeiling(facts);
  const allowed = candidates.filter((candidate) => candidate.id !== context.excludeProblemId && candidate.difficulty <= ceiling);
  if (!context.moduleOrder) return allowed;
  const unsolved = allowed.filter((candidate) => !facts.attempts.get(candidate.id)?.everPassed);
  const earliest = context.moduleOrder.find((module) => unsolved.some((candidate) => candidate.module === module));
  // Problems in no listed module compete only once every listed module is done.
  return earliest ? unsolved.filter((candidate) => candidate.module === earliest) : unsolved;
}

/** The best eligible candidate, or null when the guardrails leave none (§8.2.5). Ties break by problem id. */
export function rankCandidates(candidates: Candidate[], facts: LearnerFacts, context: RankingContext): RankedCandidate | null {
  const eligible = eligibleCandidates(candidates, facts, context);
  if (eligible.length === 0) return null;

  const mode = context.pacing ?? { mode: "bands" };
  const target = mode.mode === "bands" ? targetDifficulty(facts) : 0;
  const pace = (candidate: Candidate) =>
    mode.mode === "bands" ? pacing(candidate, target) : successPacing(predictedSuccess(candidate, facts), mode.target);
  const { weights } = context;
  let best: RankedCandidate | null = null;
  for (const candidate of eligible) {
    const raw =
      weights.weakness * weakness(candidate, facts) +
      weights.novelty * novelty(candidate, facts, context.now) +
      weights.difficulty * pace(candidate) +
      weights.recency * recency(candidate, facts);
    // Rounded so floating-point noise cannot reorder equal scores.
    const score = Math.round(raw * 1e9) / 1e9;
    if (!best || score > best.score || (score === best.score && candidate.id < best.candidate.id)) {
      best = { candidate, score };
    }
  }
  return best;
}
