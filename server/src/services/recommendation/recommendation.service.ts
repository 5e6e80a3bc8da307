import type { Subject } from "@co/shared";
import type { Clock } from "../../ports/clock.js";
import type { ProblemBank } from "../../ports/problem-bank.js";
import type {
  AttemptFacts,
  LearnerFactsRepository,
  RecentSubmissionFacts,
} from "../../repositories/learner-facts.repository.js";
import { rankCandidates, type Candidate, type LearnerFacts, type Pacing, type Weights } from "./scoring.js";

export interface RecommendationRequest {
  userId: string;
  subject: Subject;
  /** Track mode: candidates are the track's problems, modules in order; due reviews of this track only. */
  track?: { slug: string; moduleIds: string[] } | null;
  /**
   * Another mode scoped to a track (slug): only due reviews filter by it; candidates stay
   * the whole subject and no module order applies (§8.2.1–2). Ignored when `track` is set.
   */
  reviewTrack?: string | null;
  excludeProblemId?: string | null;
}

export interface Recommendation {
  problemId: string;
  reason: "review" | "ranked";
  score: number | null;
}

const DAY_MS = 86_400_000;

/**
 * Next problem (§8.2): a due review first, else the best-ranked candidate under the
 * guardrails. At most six round trips whatever the number of candidates (five under
 * `bands` pacing, which needs no problem difficulties).
 */
export class RecommendationService {
  constructor(
    private readonly facts: LearnerFactsRepository,
    private readonly problemBank: ProblemBank,
    private readonly weights: Weights,
    private readonly clock: Clock,
    private readonly pacing: Pacing,
  ) {}

  async recommend(request: RecommendationRequest): Promise<Recommendation | null> {
    const now = this.clock.now();
    const due = await this.facts.dueReview(request.userId, request.subject, now, {
      track: request.track?.slug ?? request.reviewTrack ?? null,
      exclude: request.excludeProblemId ?? null,
    });
    if (due) return { problemId: due, reason: "review", score: null };
    const [best] = await this.rank(request, now, 1);
    return best ?? null;
  }

  /**
   * The next `count` ranked problems, as if each were picked in turn (used to schedule
   * study tasks). Same queries as one recommendation; review items are not included.
   */
  async recommendSequence(request: RecommendationRequest, count: number): Promise<Recommendation[]> {
    return this.rank(request, this.clock.now(), count);
  }

  private async rank(request: RecommendationRequest, now: Date, count: number): Promise<Recommendation[]> {
    const [problems, topicMastery, attempts, recent, problemBeta] = await Promise.all([
      this.problemBank.listCandidates({ subject: request.subject, ...(request.track ? { track: request.track.slug } : {}) }),
      this.facts.topicMastery(request.userId),
      this.facts.attempts(request.userId, request.subject),
      this.facts.recentSubmissions(request.userId, request.subject),
      this.pacing.mode === "success" ? this.facts.problemDifficulty(request.subject, request.track?.slug) : new Map<string, number>(),
    ]);
    const candidates: Candidate[] = problems;
    const facts: LearnerFacts = {
      ...learnerFacts(candidates, topicMastery, attempts, recent, now),
      topicSkill: new Map([...topicMastery].map(([topic, key]) => [topic, key.skill])),
      problemBeta,
    };
    const picks: Recommendation[] = [];
    let remaining = candidates;
    while (picks.length < count) {
      const best = rankCandidates(remaining, facts, {
        now,
        weights: this.weights,
        pacing: this.pacing,
        excludeProblemId: request.excludeProblemId ?? null,
        ...(request.track ? { moduleOrder: request.track.moduleIds } : {}),
      });
      if (!best) break;
      picks.push({ problemId: best.candidate.id, reason: "ranked", score: best.score });
      remaining = remaining.filter((candidate) => candidate.id !== best.candidate.id);
    }
    return picks;
  }
}

/**
 * Learner facts over every problem attempted in the subject, not only the candidates.
 * What a problem is comes from the candidates first (the configured bank's current word),
 * then from the local `problems` table through the repository's join. With the HTTP
 * problem bank the local table may not hold the neighbour's problems, and asking the bank
 * for each attempted problem would cost one round trip per problem (§8.2.4); there, a
 * problem outside the candidates and the local table stays unknown: it adds no difficulty
 * passed and no recent topics, and the failure guardrail falls back as `difficultyCeiling` says.
 */
function learnerFacts(
  candidates: Candidate[],
  topicMastery: Map<string, { score: number }>,
  attempts: Map<string, AttemptFacts>,
  recent: RecentSubmissionFacts[],
  now: Date,
): LearnerFacts {
  const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
  let hardestPassed = 0;
  const recentTopics = new Set<string>();
  for (const [problemId, attempt] of attempts) {
    const known = byId.get(problemId);
    const difficulty = known?.difficulty ?? attempt.difficulty;
    const topics = known?.topics ?? attempt.topics ?? [];
    if (attempt.everPassed && difficulty !== null) hardestPassed = Math.max(hardestPassed, difficulty);
    if (now.getTime() - attempt.lastAt.getTime() < DAY_MS) topics.forEach((topic) => recentTopics.add(topic));
  }
  return {
    topicMastery: new Map([...topicMastery].map(([topic, key]) => [topic, key.score])),
    attempts,
    hardestPassed,
    recentTopics,
    recent: recent.map((row) => ({
      problemId: row.problemId,
      passed: row.status === "passed",
      difficulty: byId.get(row.problemId)?.difficulty ?? row.difficulty,
    })),
  };
}
