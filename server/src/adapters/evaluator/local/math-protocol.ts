import type { MathEvaluation, MathEvaluationRequest } from "../../../ports/evaluator.js";

/**
 * Messages between the math pool and its worker threads. Everything crosses by structured
 * clone, so only plain data: an AppError thrown by the grader travels as its code, message
 * and details and is rebuilt on the API side.
 */
export interface MathJobMessage {
  type: "grade";
  id: number;
  request: MathEvaluationRequest;
  budgetMs: number;
}

export interface ThrownError {
  /** Set when the grader threw an AppError (e.g. an unreadable reference answer). */
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

export type MathReplyMessage =
  | { type: "ready" }
  | { type: "result"; id: number; evaluation: MathEvaluation }
  | { type: "error"; id: number; error: ThrownError };

/** A reply from a worker, or null when it is not one (the pool then treats the grading as failed). */
export function parseReply(message: unknown): MathReplyMessage | null {
  if (typeof message !== "object" || message === null) return null;
  const reply = message as Record<string, unknown>;
  if (reply.type === "ready") return { type: "ready" };
  if (typeof reply.id !== "number") return null;
  if (reply.type === "result" && typeof reply.evaluation === "object" && reply.evaluation !== null) {
    const evaluation = reply.evaluation as Record<string, unknown>;
    if (typeof evaluation.correct === "boolean") return { type: "result", id: reply.id, evaluation: evaluation as unknown as MathEvaluation };
  }
  if (reply.type === "error" && typeof reply.error === "object" && reply.error !== null) {
    const error = reply.error as Record<string, unknown>;
    if (typeof error.message === "string") return { type: "error", id: reply.id, error: error as unknown as ThrownError };
  }
  return null;
}
