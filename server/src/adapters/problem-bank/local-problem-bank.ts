import type { BankProblem, HiddenBundle } from "@co/shared";
import { and, asc, eq, getTableColumns, inArray, type SQL } from "drizzle-orm";
import type { Database } from "../../db/database.js";
import { problems, tracks } from "../../db/schema/index.js";
import type { ProblemBank, ProblemCandidate, ProblemFacts, ProblemFilter } from "../../ports/problem-bank.js";

type ProblemRow = typeof problems.$inferSelect;

/** Maps a stored problem to the §9 wire shape; hidden tests and references stay behind. */
/**
 * The columns a BankProblem is made of: hidden tests and reference solutions (the bulk of a row)
 * are never read where they are not needed, so a problem lookup does not parse them.
 */
const { hiddenTests: _hidden, referenceSolutions: _references, contentHash: _hash, ...bankColumns } = getTableColumns(problems);
type BankRow = Omit<ProblemRow, "hiddenTests" | "referenceSolutions" | "contentHash">;

export function toBankProblem(row: BankRow, trackSlug: string | null): BankProblem {
  return {
    id: row.id,
    subject: row.subject,
    title: row.title,
    statement: row.statement,
    type: row.kind,
    difficulty: row.difficulty,
    topics: row.topics,
    outcomes: row.outcomes,
    track: trackSlug,
    module: row.module,
    hints: row.hints,
    ...(row.entrypoint ? { entrypoint: row.entrypoint } : {}),
    ...(row.starterCode ? { starter_code: row.starterCode } : {}),
    ...(row.kind === "coding" ? { visible_tests: row.visibleTests, compare: row.compare ?? "exact" } : {}),
    ...(row.variables ? { variables: row.variables } : {}),
    ...(row.expectedAnswer !== null ? { solution: row.expectedAnswer } : {}),
    ...(row.tolerance !== null ? { tolerance: row.tolerance } : {}),
  };
}

function whereOf(filter: ProblemFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.subject) conditions.push(eq(problems.subject, filter.subject));
  if (filter.track) conditions.push(eq(tracks.slug, filter.track));
  if (filter.module) conditions.push(eq(problems.module, filter.module));
  if (filter.difficulty) conditions.push(eq(problems.difficulty, filter.difficulty));
  return and(...conditions);
}

/** The problem bank of embedded mode: the seeded `problems` table. */
export class LocalProblemBank implements ProblemBank {
  constructor(private readonly db: Database) {}

  async getProblem(id: string): Promise<BankProblem | null> {
    const [row] = await this.db
      .select({ problem: bankColumns, trackSlug: tracks.slug })
      .from(problems)
      .leftJoin(tracks, eq(tracks.id, problems.trackId))
      .where(eq(problems.id, id))
      .limit(1);
    return row ? toBankProblem(row.problem, row.trackSlug) : null;
  }

  async getHiddenBundle(id: string): Promise<HiddenBundle | null> {
    const [row] = await this.db
      .select({ id: problems.id, hiddenTests: problems.hiddenTests })
      .from(problems)
      .where(eq(problems.id, id))
      .limit(1);
    return row ? { problem_id: row.id, tests: row.hiddenTests } : null;
  }

  async listProblems(filter: ProblemFilter): Promise<BankProblem[]> {
    const query = this.db
      .select({ problem: bankColumns, trackSlug: tracks.slug })
      .from(problems)
      .leftJoin(tracks, eq(tracks.id, problems.trackId))
      .where(whereOf(filter))
      .orderBy(asc(tracks.slug), asc(problems.module), asc(problems.position), asc(problems.id));
    const rows = filter.limit ? await query.limit(filter.limit) : await query;
    return rows.map((row) => toBankProblem(row.problem, row.trackSlug));
  }

  async listCandidates(filter: ProblemFilter): Promise<ProblemCandidate[]> {
    const query = this.db
      .select({ id: problems.id, difficulty: problems.difficulty, topics: problems.topics, module: problems.module })
      .from(problems)
      .leftJoin(tracks, eq(tracks.id, problems.trackId))
      .where(whereOf(filter))
      .orderBy(asc(problems.id));
    return filter.limit ? query.limit(filter.limit) : query;
  }

  async findFacts(ids: readonly string[]): Promise<ProblemFacts[]> {
    if (ids.length === 0) return [];
    return this.db
      .select({ id: problems.id, subject: problems.subject, difficulty: problems.difficulty, topics: problems.topics, module: problems.module })
      .from(problems)
      .where(inArray(problems.id, [...new Set(ids)]));
  }
}
