import type { BankProblem } from "@co/shared";
import type { ProblemBank, ProblemCandidate, ProblemFilter } from "../../ports/problem-bank.js";

/** What this decorator needs of the catalog cache: a read-through keyed by the content version. */
export interface ContentReads {
  read<T>(key: string, load: () => Promise<T>): Promise<T>;
}

const UNKNOWN = Symbol("unknown problem");

/**
 * The seeded problem bank with single-problem lookups kept until content changes: every session
 * start, submission and tutor turn looks its problem up, and a re-seed is the only way it changes.
 * Unknown ids are not kept (the next lookup asks again); hidden tests never pass through here.
 * What it returns is shared between callers: treat it as read-only.
 */
export class ContentCachedProblemBank implements ProblemBank {
  constructor(
    private readonly bank: ProblemBank,
    private readonly reads: ContentReads,
  ) {}

  async getProblem(id: string): Promise<BankProblem | null> {
    try {
      return await this.reads.read(`bank-problem:${id}`, async () => {
        const problem = await this.bank.getProblem(id);
        if (!problem) throw UNKNOWN;
        return problem;
      });
    } catch (error) {
      if (error === UNKNOWN) return null;
      throw error;
    }
  }

  getHiddenBundle(id: string) {
    return this.bank.getHiddenBundle(id);
  }

  listProblems(filter: ProblemFilter) {
    return this.bank.listProblems(filter);
  }

  /** The ranking facts of a subject or track: recommendation's largest read, the same until content changes. */
  listCandidates(filter: ProblemFilter): Promise<ProblemCandidate[]> {
    const key = `bank-candidates:${filter.subject ?? ""}:${filter.track ?? ""}:${filter.module ?? ""}:${filter.difficulty ?? ""}:${filter.limit ?? ""}`;
    return this.reads.read(key, () => this.bank.listCandidates(filter));
  }

  findFacts(ids: readonly string[]) {
    return this.bank.findFacts(ids);
  }
}
