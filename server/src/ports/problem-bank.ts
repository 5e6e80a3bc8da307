import type { BankProblem, HiddenBundle, Subject, TrackDefinition } from "@co/shared";

export interface ProblemFilter {
  subject?: Subject;
  /** Track slug. */
  track?: string;
  module?: string;
  difficulty?: number;
  limit?: number;
}

/** What ranking needs of a problem: cheap to list by the thousand. */
export interface ProblemCandidate {
  id: string;
  difficulty: number;
  topics: string[];
  module: string | null;
}

/** Ranking facts plus the subject: enough to schedule a task on a problem. */
export interface ProblemFacts extends ProblemCandidate {
  subject: Subject;
}

/**
 * Where problems come from: the local `problems` table or the Problem Bank service.
 * Hidden tests cross only through `getHiddenBundle`; reference solutions never cross.
 */
export interface ProblemBank {
  /** The full problem (with hints and answer, for server-side use), or null when unknown. */
  getProblem(id: string): Promise<BankProblem | null>;
  getHiddenBundle(id: string): Promise<HiddenBundle | null>;
  /** Problems matching the filter, in track/module authoring order. One round trip. */
  listProblems(filter: ProblemFilter): Promise<BankProblem[]>;
  /** The same selection reduced to ranking facts (the local bank reads only those columns). */
  listCandidates(filter: ProblemFilter): Promise<ProblemCandidate[]>;
  /**
   * The facts of exactly these problems (unknown ids are left out, order not kept): a
   * lookup whose cost follows the ids asked for, not the size of the bank.
   */
  findFacts(ids: readonly string[]): Promise<ProblemFacts[]>;
  /**
   * A track the bank defines, by slug, or null when unknown. Only a remote bank has one:
   * the local bank's tracks are seeded straight into the `tracks` table.
   */
  getTrack?(slug: string): Promise<TrackDefinition | null>;
}
