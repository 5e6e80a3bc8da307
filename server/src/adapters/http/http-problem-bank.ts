import { bankProblemSchema, hiddenBundleSchema, trackDefinitionSchema, type BankProblem, type HiddenBundle, type TrackDefinition } from "@co/shared";
import { z } from "zod";
import type { ProblemBank, ProblemCandidate, ProblemFacts, ProblemFilter } from "../../ports/problem-bank.js";
import { createNeighbourClient, type NeighbourClient } from "./neighbour-client.js";
import { encodePathSegment, neighbourAt, type NeighbourEndpoint } from "./neighbour.js";

export interface HttpProblemBankOptions extends NeighbourEndpoint {
  /** `CO_PROBLEM_BANK_TIMEOUT_MS`: the budget of one call, retries included. */
  timeoutMs: number;
  /** First retry backoff (default 100 ms). */
  retryDelayMs?: number;
}

/** Parallel `GET /internal/problems/{id}` calls of one `findFacts`. */
const FACT_LOOKUPS_IN_FLIGHT = 4;

const problemListSchema = z.object({ items: z.array(bankProblemSchema) });

/** The Problem Bank service over HTTP (§9). A 404 is an unknown problem: null. */
export class HttpProblemBank implements ProblemBank {
  private readonly client: NeighbourClient;

  constructor(options: HttpProblemBankOptions) {
    this.client = createNeighbourClient({ ...neighbourAt("Problem bank", "problem_bank", options), timeoutMs: options.timeoutMs, retryDelayMs: options.retryDelayMs });
  }

  async getProblem(id: string): Promise<BankProblem | null> {
    const segment = encodePathSegment(id);
    if (segment === null) return null;
    return this.client.getOrNull(`/internal/problems/${segment}`, bankProblemSchema);
  }

  async getHiddenBundle(id: string): Promise<HiddenBundle | null> {
    const segment = encodePathSegment(id);
    if (segment === null) return null;
    return this.client.getOrNull(`/internal/problems/${segment}/hidden-bundle`, hiddenBundleSchema);
  }

  async getTrack(slug: string): Promise<TrackDefinition | null> {
    const segment = encodePathSegment(slug);
    if (segment === null) return null;
    return this.client.getOrNull(`/internal/tracks/${segment}`, trackDefinitionSchema);
  }

  async listProblems(filter: ProblemFilter): Promise<BankProblem[]> {
    // Like the local bank, an unset (or empty/zero) filter is no filter: it is not sent.
    const query = {
      subject: filter.subject || undefined,
      track: filter.track || undefined,
      module: filter.module || undefined,
      difficulty: filter.difficulty || undefined,
      limit: filter.limit || undefined,
    };
    const { items } = await this.client.get("/internal/problems", problemListSchema, { query });
    return items;
  }

  /** The service has no narrower listing: one list call, reduced here. */
  async listCandidates(filter: ProblemFilter): Promise<ProblemCandidate[]> {
    const items = await this.listProblems(filter);
    return items.map(({ id, difficulty, topics, module }) => ({ id, difficulty, topics, module }));
  }

  /**
   * One `GET /internal/problems/{id}` per distinct id, at most `FACT_LOOKUPS_IN_FLIGHT` at
   * a time. §9 has no id filter on the listing, so the alternative would be listing the
   * whole subject to keep a handful; a batch names at most 100 ids. Each GET is retried
   * like any idempotent read; a 404 leaves the id out.
   */
  async findFacts(ids: readonly string[]): Promise<ProblemFacts[]> {
    const pending = [...new Set(ids)];
    const found: ProblemFacts[] = [];
    const worker = async () => {
      for (let id = pending.shift(); id !== undefined; id = pending.shift()) {
        const problem = await this.getProblem(id);
        if (problem) found.push({ id: problem.id, subject: problem.subject, difficulty: problem.difficulty, topics: problem.topics, module: problem.module });
      }
    };
    await Promise.all(Array.from({ length: Math.min(FACT_LOOKUPS_IN_FLIGHT, pending.length) }, worker));
    return found;
  }
}
