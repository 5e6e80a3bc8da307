import type { BankProblem, HiddenBundle, TrackDefinition } from "@co/shared";
import type { Cache } from "../../ports/cache.js";
import type { ProblemBank, ProblemCandidate, ProblemFacts, ProblemFilter } from "../../ports/problem-bank.js";

/**
 * A remote Problem Bank behind a short-lived shared cache: problems change rarely and
 * every session, recommendation and submission asks for them, so each instance need not
 * ask the neighbour each time. Only found problems and listings are kept; hidden bundles
 * are never cached, so hidden tests live nowhere but in the bank and in flight.
 */
export class CachingProblemBank implements ProblemBank {
  constructor(
    private readonly bank: ProblemBank,
    private readonly cache: Cache,
    private readonly ttlSeconds: number,
  ) {}

  getProblem(id: string): Promise<BankProblem | null> {
    return this.cached(`problem:${id}`, () => this.bank.getProblem(id));
  }

  getHiddenBundle(id: string): Promise<HiddenBundle | null> {
    return this.bank.getHiddenBundle(id);
  }

  async listProblems(filter: ProblemFilter): Promise<BankProblem[]> {
    return (await this.cached(`problems:${filterKey(filter)}`, () => this.bank.listProblems(filter))) ?? [];
  }

  async listCandidates(filter: ProblemFilter): Promise<ProblemCandidate[]> {
    return (await this.cached(`candidates:${filterKey(filter)}`, () => this.bank.listCandidates(filter))) ?? [];
  }

  findFacts(ids: readonly string[]): Promise<ProblemFacts[]> {
    return this.bank.findFacts(ids);
  }

  getTrack(slug: string): Promise<TrackDefinition | null> {
    return this.bank.getTrack?.(slug) ?? Promise.resolve(null);
  }

  private async cached<T>(key: string, load: () => Promise<T | null>): Promise<T | null> {
    const hit = await this.cache.get<T>(`problem-bank:${key}`);
    if (hit !== undefined) return hit;
    const value = await load();
    if (value !== null) await this.cache.set(`problem-bank:${key}`, value, this.ttlSeconds);
    return value;
  }
}

/** A stable key for a filter, whatever order its fields were given in. */
const filterKey = (filter: ProblemFilter) =>
  JSON.stringify(Object.entries(filter).filter(([, value]) => value !== undefined).sort(([a], [b]) => a.localeCompare(b)));
