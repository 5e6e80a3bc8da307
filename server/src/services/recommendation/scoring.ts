/**
 * Pure ranking of §8.2: no I/O, so every rule is unit-testable and the service's
 * database cost stays a fixed number of queries whatever the number of candidates.
 */

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

export interface RankingContext {
  now: Date;
  weights: Weights;
  /** Track mode: modules in order; only the earliest module with unsolved problems competes. */
  moduleOrder?: string[];
  excludeProblemId?: string | null;
}

const DAY_MS = 86_400_000;

export function weakness(candidate: Candidate, facts: LearnerFacts): number {
  const scores = candidate.topics.map((topic) => facts.topicMastery.get(topic)).filter((score) => score !== undefined);
  if (scores.length === 0) return 1;
  return 1 - scores.reduce((sum, score) => sum + score, 0) / scores.length / 100;
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

export function recency(candidate: Candidate, facts: LearnerFacts): number {
  if (candidate.topics.length === 0) return 1;
  const practised = candidate.topics.filter((topic) => facts.recentTopics.has(topic)).length;
  return 1 - practised / candidate.topics.length;
}

/** The hardest difficulty allowed now (guardrails of §8.2.3). */
export function difficultyCeiling(facts: LearnerFacts): number {
  let ceiling = facts.hardestPassed > 0 ? facts.hardestPassed + 1 : 2;
  const [last, previous] = facts.recent;
  if (last && previous && !last.passed && !previous.passed && last.difficulty !== null) {
    ceiling = Math.min(ceiling, last.difficulty);
  }
  return ceiling;
}

export interface RankedCandidate {
  candidate: Candidate;
  score: number;
}

/**
 * The best candidate, or null when none is left. Ties break by problem id. When the
 * guardrails would leave nothing although unsolved problems remain, the easiest of
 * them is offered rather than ending the learner's session.
 */
export function rankCandidates(candidates: Candidate[], facts: LearnerFacts, context: RankingContext): RankedCandidate | null {
  let pool = candidates.filter((candidate) => candidate.id !== context.excludeProblemId);
  if (context.moduleOrder) {
    const unsolved = pool.filter((candidate) => !facts.attempts.get(candidate.id)?.everPassed);
    const earliest = context.moduleOrder.find((module) => unsolved.some((candidate) => candidate.module === module));
    pool = earliest ? unsolved.filter((candidate) => candidate.module === earliest) : unsolved;
  }
  if (pool.length === 0) return null;

  const ceiling = difficultyCeiling(facts);
  const allowed = pool.filter((candidate) => candidate.difficulty <= ceiling);
  const eligible = allowed.length > 0 ? allowed : [...pool].sort((a, b) => a.difficulty - b.difficulty).slice(0, 1);

  const target = targetDifficulty(facts);
  const { weights } = context;
  let best: RankedCandidate | null = null;
  for (const candidate of eligible) {
    const raw =
      weights.weakness * weakness(candidate, facts) +
      weights.novelty * novelty(candidate, facts, context.now) +
      weights.difficulty * pacing(candidate, target) +
      weights.recency * recency(candidate, facts);
    // Rounded so floating-point noise cannot reorder equal scores.
    const score = Math.round(raw * 1e9) / 1e9;
    if (!best || score > best.score || (score === best.score && candidate.id < best.candidate.id)) {
      best = { candidate, score };
    }
  }
  return best;
}
