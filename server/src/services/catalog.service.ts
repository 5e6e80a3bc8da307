import type { ProblemSummary, PublicProblem, Subject, Track } from "@co/shared";
import type { BankProblem } from "@co/shared";
import { AppError } from "../errors/app-error.js";
import type { ProblemBank } from "../ports/problem-bank.js";
import type { TrackRow } from "../repositories/tracks.repository.js";
import type { CatalogCache } from "./catalog-cache.js";
import type { TrackDirectory } from "./track-directory.js";

export const toTrack = (row: TrackRow): Track => ({
  id: row.id,
  slug: row.slug,
  subject: row.subject,
  title: row.title,
  modules: row.modules,
  labels: row.labels,
  version: row.version,
  created_at: row.createdAt,
});

/** The learner's view: drops hints, the solution and tolerance (hidden tests never get here). */
export function toPublicProblem(problem: BankProblem): PublicProblem {
  const { hints: _hints, solution: _solution, tolerance: _tolerance, ...visible } = problem;
  return visible;
}

export const toProblemSummary = (problem: BankProblem): ProblemSummary => ({
  id: problem.id,
  subject: problem.subject,
  title: problem.title,
  type: problem.type,
  difficulty: problem.difficulty,
  topics: problem.topics,
  track: problem.track,
  module: problem.module,
});

/** Orders problems by the track's module order (authoring order within a module). */
export function sortByModuleOrder<T extends { module: string | null }>(items: T[], moduleIds: string[]): T[] {
  const rank = new Map(moduleIds.map((id, index) => [id, index]));
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      const byModule = (rank.get(a.item.module ?? "") ?? moduleIds.length) - (rank.get(b.item.module ?? "") ?? moduleIds.length);
      return byModule !== 0 ? byModule : a.index - b.index;
    })
    .map(({ item }) => item);
}

/** The public catalog: tracks, their problems and problems' public views, cached until content changes. */
export class CatalogService {
  constructor(
    private readonly tracks: TrackDirectory,
    private readonly problemBank: ProblemBank,
    private readonly cache: CatalogCache,
  ) {}

  list(filter: { subject?: Subject; label?: string }): Promise<{ items: Track[] }> {
    return this.cache.read(`tracks:${filter.subject ?? ""}:${filter.label ?? ""}`, async () => {
      const rows = await this.tracks.list(filter);
      return { items: rows.map(toTrack) };
    });
  }

  get(idOrSlug: string): Promise<Track> {
    return this.cache.read(`track:${idOrSlug}`, async () => {
      const row = await this.tracks.findByIdOrSlug(idOrSlug);
      if (!row) throw AppError.notFound("Track");
      return toTrack(row);
    });
  }

  problems(idOrSlug: string, module?: string): Promise<{ items: ProblemSummary[] }> {
    return this.cache.read(`track-problems:${idOrSlug}:${module ?? ""}`, () => this.loadProblems(idOrSlug, module));
  }

  private async loadProblems(idOrSlug: string, module?: string): Promise<{ items: ProblemSummary[] }> {
    const track = await this.get(idOrSlug);
    if (module && !track.modules.some((candidate) => candidate.id === module)) {
      throw AppError.notFound(`Module '${module}' of track '${track.slug}'`);
    }
    const problems = await this.problemBank.listProblems({ track: track.slug, ...(module ? { module } : {}) });
    return {
      items: sortByModuleOrder(problems, track.modules.map((item) => item.id)).map(toProblemSummary),
    };
  }

  getProblem(id: string): Promise<PublicProblem> {
    return this.cache.read(`problem:${id}`, async () => {
      const problem = await this.problemBank.getProblem(id);
      if (!problem) throw AppError.notFound("Problem");
      return toPublicProblem(problem);
    });
  }
}
