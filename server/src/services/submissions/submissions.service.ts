import { createHash, randomUUID } from "node:crypto";
import type { BankProblem, CreateSubmissionInput, SubmissionResult } from "@co/shared";
import type { Database } from "../../db/database.js";
import { pgErrorCode } from "../../db/database.js";
import { AppError } from "../../errors/app-error.js";
import type { Clock } from "../../ports/clock.js";
import type { Evaluator } from "../../ports/evaluator.js";
import type { ProblemBank } from "../../ports/problem-bank.js";
import type { SessionsRepository } from "../../repositories/sessions.repository.js";
import type { SubmissionRow, SubmissionsRepository } from "../../repositories/submissions.repository.js";
import { decodeCursor, pageOf } from "../cursor.js";
import type { LearningRecorder } from "../learning/learning-recorder.js";
import { gradeCode, gradeMath, type Grade } from "./grading.js";
import type { TaskSubmissionLink } from "./task-link.js";

const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/** Wall-clock budget of one coding evaluation. */
const CODE_TIMEOUT_MS = 10_000;

export const toSubmissionResult = (row: SubmissionRow): SubmissionResult => ({
  id: row.id,
  session_id: row.sessionId,
  problem_id: row.problemId,
  subject: row.subject === "math" ? "math" : "coding",
  language: row.language,
  task_id: row.taskId,
  status: row.status,
  visible: { passed: row.visiblePassed, total: row.visibleTotal, details: row.details as SubmissionResult["visible"]["details"] },
  hidden: { passed: row.hiddenPassed, total: row.hiddenTotal, categories: row.categories },
  exec_ms: row.execMs,
  pillar_scores: row.pillarScores ?? null,
  feedback: row.feedback ?? null,
  created_at: row.createdAt,
});

/** Stable hash of the request body: key order does not matter. */
export function payloadSha256(input: CreateSubmissionInput): string {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value && typeof value === "object"
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, canonical(v)]))
        : value;
  return createHash("sha256").update(JSON.stringify(canonical(input))).digest("hex");
}

export interface SubmissionsDeps {
  db: Database;
  submissions: SubmissionsRepository;
  sessions: SessionsRepository;
  learning: LearningRecorder;
  problemBank: ProblemBank;
  evaluator: Evaluator;
  taskLink: TaskSubmissionLink;
  clock: Clock;
}

/**
 * Graded submissions (§8.4): checks, evaluation through the Evaluator port (outside any
 * transaction), then one transaction for the submission, what it teaches (mastery, the
 * problem's difficulty, the review card) and the study task. A neighbour failure throws before anything is written.
 */
export class SubmissionsService {
  /** Requests in flight on this instance, per (user, Idempotency-Key). */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: SubmissionsDeps) {}

  /**
   * Idempotency design: a request with a key waits for any request with the same (user, key)
   * still running on this instance, then looks the key up, so a concurrent retry replays the
   * first result instead of evaluating again. Across instances the partial unique index on
   * (user_id, idempotency_key) is the backstop: both may evaluate, but only one row is stored
   * and the loser answers the winner's result (or 409 for another body). Reserving the key in
   * the database first would need a pending row, or a lock held open across the evaluation.
   */
  async create(userId: string, input: CreateSubmissionInput, idempotencyKey?: string): Promise<SubmissionResult> {
    if (idempotencyKey === undefined) return this.createOnce(userId, input);
    if (idempotencyKey.length === 0 || idempotencyKey.length > 255) {
      throw AppError.validation("Idempotency-Key must be 1-255 characters", [{ path: "Idempotency-Key", message: "1-255 characters" }]);
    }
    const slot = JSON.stringify([userId, idempotencyKey]);
    for (let running = this.inFlight.get(slot); running; running = this.inFlight.get(slot)) {
      await running.catch(() => undefined);
    }
    const run = this.createOnce(userId, input, idempotencyKey);
    this.inFlight.set(slot, run);
    try {
      return await run;
    } finally {
      if (this.inFlight.get(slot) === run) this.inFlight.delete(slot);
    }
  }

  private async createOnce(userId: string, input: CreateSubmissionInput, idempotencyKey?: string): Promise<SubmissionResult> {
    const sha = payloadSha256(input);
    let expiredKeyHolder: string | undefined;
    if (idempotencyKey !== undefined) {
      const previous = await this.deps.submissions.findByIdempotencyKey(userId, idempotencyKey);
      if (previous) {
        const fresh = this.deps.clock.now().getTime() - previous.createdAt.getTime() < IDEMPOTENCY_WINDOW_MS;
        if (fresh) return this.replay(previous, sha);
        expiredKeyHolder = previous.id;
      }
    }

    const session = await this.deps.sessions.findOwned(userId, input.session_id);
    if (!session) throw AppError.notFound("Session");
    if (session.status !== "active") throw AppError.conflict(`Session is ${session.status}; submissions need an active session`);
    if (session.problemId !== input.problem_id) {
      throw AppError.conflict("This problem is not the session's current problem", { current_problem_id: session.problemId });
    }
    if (session.subject !== input.subject) {
      throw AppError.validation(`This is a ${session.subject} session`, [{ path: "subject", message: `must be ${session.subject}` }]);
    }
    if (input.task_id) await this.deps.taskLink.assertSubmittable(userId, input.task_id, input.problem_id);

    const problem = await this.deps.problemBank.getProblem(input.problem_id);
    if (!problem) throw AppError.notFound("Problem");
    const grade = await this.evaluate(problem, input, userId);
    const now = this.deps.clock.now();

    try {
      const row = await this.deps.db.transaction(async (tx) => {
        if (expiredKeyHolder) await this.deps.submissions.with(tx).releaseIdempotencyKey(expiredKeyHolder);
        const submissionId = randomUUID();
        // Sent together (see LearningRecorder): the insert goes first, then what it teaches.
        const [stored] = await Promise.all([
          this.deps.submissions.with(tx).insert({
            id: submissionId,
            sessionId: session.id,
            userId,
            problemId: problem.id,
            subject: problem.subject,
            language: input.subject === "coding" ? input.payload.language : null,
            status: grade.status,
            visiblePassed: grade.visible.passed,
            visibleTotal: grade.visible.total,
            hiddenPassed: grade.hidden.passed,
            hiddenTotal: grade.hidden.total,
            categories: grade.hidden.categories,
            execMs: grade.execMs,
            details: grade.visible.details,
            feedback: grade.feedback,
            payloadSha256: sha,
            idempotencyKey: idempotencyKey ?? null,
            taskId: input.task_id ?? null,
            createdAt: now,
          }),
          this.deps.learning.record(
            tx,
            {
              userId,
              sessionId: session.id,
              submissionId,
              hintLevel: session.lastHintLevel,
              passed: grade.status === "passed",
              problem,
            },
            now,
          ),
        ]);
        if (input.task_id) {
          await this.deps.taskLink.record(tx, {
            userId,
            taskId: input.task_id,
            submissionId: stored.id,
            language: input.subject === "coding" ? input.payload.language : null,
            code: input.subject === "coding" ? input.payload.code : null,
            testsPassed: grade.visible.passed + grade.hidden.passed,
            testsTotal: grade.visible.total + grade.hidden.total,
            runtimeMs: grade.execMs,
            errorMessage: grade.errorMessage,
            status: grade.status,
          });
        }
        return stored;
      });
      return toSubmissionResult(row);
    } catch (error) {
      // Two requests raced with one key: the loser answers like a replay.
      if (idempotencyKey !== undefined && pgErrorCode(error) === "23505") {
        const winner = await this.deps.submissions.findByIdempotencyKey(userId, idempotencyKey);
        if (winner) return this.replay(winner, sha);
      }
      throw error;
    }
  }

  async get(userId: string, id: string): Promise<SubmissionResult> {
    const row = await this.deps.submissions.findOwned(userId, id);
    if (!row) throw AppError.notFound("Submission");
    return toSubmissionResult(row);
  }

  async list(userId: string, options: { sessionId?: string; problemId?: string; limit: number; cursor?: string }) {
    const after = decodeCursor(options.cursor);
    const rows = await this.deps.submissions.listOwned(userId, { ...options, ...(after ? { after } : {}) });
    return pageOf(rows, options.limit, toSubmissionResult, (row) => ({ at: row.createdAt, id: row.id }));
  }

  private replay(previous: SubmissionRow, sha: string): SubmissionResult {
    if (previous.payloadSha256 !== sha) {
      throw AppError.conflict("Idempotency-Key was already used with a different request body", { submission_id: previous.id });
    }
    return toSubmissionResult(previous);
  }

  private async evaluate(problem: BankProblem, input: CreateSubmissionInput, userId: string): Promise<Grade> {
    if (input.subject === "coding") {
      if (problem.type !== "coding" || !problem.entrypoint) {
        throw AppError.validation(`Problem '${problem.id}' is not a coding problem`, [{ path: "subject", message: "mismatch" }]);
      }
      const bundle = await this.deps.problemBank.getHiddenBundle(problem.id);
      if (!bundle) throw AppError.notFound("Problem");
      const evaluation = await this.deps.evaluator.evaluateCode({
        problemId: problem.id,
        language: input.payload.language,
        code: input.payload.code,
        entrypoint: problem.entrypoint[input.payload.language],
        visibleTests: problem.visible_tests ?? [],
        hiddenTests: bundle.tests,
        compare: problem.compare ?? "exact",
        timeoutMs: CODE_TIMEOUT_MS,
        userId,
      });
      return gradeCode(evaluation);
    }
    if ((problem.type !== "expression" && problem.type !== "equation") || problem.solution === undefined) {
      throw AppError.validation(`Problem '${problem.id}' is not a math problem with an answer`, [{ path: "subject", message: "mismatch" }]);
    }
    const evaluation = await this.deps.evaluator.evaluateMath({
      problemId: problem.id,
      problemType: problem.type,
      userAnswer: input.payload.expression ?? null,
      userSteps: input.payload.steps ?? [],
      expectedAnswer: problem.solution,
      variables: problem.variables ?? [],
      tolerance: problem.tolerance ?? 1e-6,
      userId,
    });
    return gradeMath(evaluation);
  }
}
