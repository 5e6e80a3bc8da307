import type { BankProblem, LastEval } from "@co/shared";
import type { LearnerEvaluation, TutorProblem, VisibleFailure } from "../../ports/tutor.js";
import type { StoredEvaluation } from "../../repositories/tutor-turns.repository.js";

/** What each hint level allows (§8.6), told to every provider. */
export const HINT_INSTRUCTIONS: Record<1 | 2 | 3, string> = {
  1: "Give a gentle nudge: point at what to look at next in one or two sentences. Never give the solution, code, or the final answer.",
  2: "Give conceptual guidance: name the idea, technique or property that unlocks the problem and why it applies here. No code and no final answer.",
  3: "Give step-by-step guidance toward the solution: an ordered plan the learner can follow. Leave the final code or answer for the learner to write.",
};

/** Copies only what a tutor may see: the solution, hidden tests and references are never read. */
export function toTutorProblem(problem: BankProblem): TutorProblem {
  return {
    id: problem.id,
    subject: problem.subject,
    title: problem.title,
    statement: problem.statement,
    type: problem.type,
    topics: problem.topics,
    hints: { "1": problem.hints["1"], "2": problem.hints["2"], "3": problem.hints["3"] },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** The first visible detail that did not pass (coding `passed: false`, math `correct: false`). */
function firstFailure(details: readonly unknown[]): VisibleFailure | null {
  for (const detail of details) {
    if (!isRecord(detail)) continue;
    if (detail.passed === false) {
      return {
        input: detail.input,
        expected: detail.expected,
        actual: detail.actual,
        ...(typeof detail.message === "string" ? { message: detail.message } : {}),
      };
    }
    if (detail.correct === false) return typeof detail.feedback === "string" ? { feedback: detail.feedback } : {};
  }
  return null;
}

export function evaluationFromRequest(lastEval: LastEval): LearnerEvaluation {
  return {
    status: lastEval.status,
    categories: lastEval.categories,
    firstFailure: firstFailure(lastEval.details ?? []),
    ...(lastEval.message ? { message: lastEval.message } : {}),
  };
}

export function evaluationFromStored(stored: StoredEvaluation | undefined): LearnerEvaluation | null {
  if (!stored) return null;
  return { status: stored.status, categories: stored.categories, firstFailure: firstFailure(stored.details) };
}
