import type { Subject } from "@co/shared";
import type { Clock } from "../../ports/clock.js";
import type { ProblemBank } from "../../ports/problem-bank.js";
import type { LearnerFactsRepository } from "../../repositories/learner-facts.repository.js";
import { rankCandidates, type Candidate, type LearnerFacts, type Weights } from "./scoring.js";

export interface RecommendationRequest {
  userId: string;
  subject: Subject;
  /** Track mode: candidates are the track's problems, modules in order. */
  track?: { slug: string; moduleIds: string[] } | null;
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
 * guardrails. At most five round trips whatever the number of candidates.
 */
export class RecommendationService {
  constructor(
    private readonly facts: LearnerFactsRepository,
    private readonly problemBank: ProblemBank,
    private readonly weights: Weights,
    private readonly clock: Clock,
  ) {}

  async recommend(request: RecommendationRequest): Promise<Recommendation | null> {
    const now = this.clock.now();
    const due = await this.facts.dueReview(request.userId, request.subject, now, {
      track: request.track?.slug ?? null,
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

    const [problems, topicMastery, attempts, recent] = await Promise.all([
      this.problemBank.listCandidates({ subject: request.subject, ...(request.track ? { track: request.track.slug } : {}) }),
      this.facts.topicMastery(request.userId),
      this.facts.attempts(request.userId, request.subject),
      this.facts.recentSubmissions(request.userId, request.subject),
    ]);
    const candidates: Candidate[] = problems;
    const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));

    let hardestPassed = 0;
    const recentTopics = new Set<string>();
    for (const [problemId, attempt] of attempts) {
      const candidate = byId.get(problemId);
      if (!candidate) continue;
      if (attempt.everPassed) hardestPassed = Math.max(hardestPassed, candidate.difficulty);
      if (now.getTime() - attempt.lastAt.getTime() < DAY_MS) candidate.topics.forEach((topic) => recentTopics.add(topic));
    }
    const facts: LearnerFacts = {
      topicMastery,
      attempts,
      hardestPassed,
      recentTopics,
      recent: recent.map((row) => ({
        problemId: row.problemId,
        passed: row.status === "passed",
        difficulty: byId.get(row.problemId)?.difficulty ?? null,
      })),
    };
    const picks: Recommendation[] = [];
    let remaining = candidates;
    while (picks.length < count) {
      const best = rankCandidates(remaining, facts, {
        now,
        weights: this.weights,
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
