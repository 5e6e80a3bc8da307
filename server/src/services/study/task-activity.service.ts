import type { DbOrTx } from "../../db/database.js";
import { AppError } from "../../errors/app-error.js";
import type { Clock } from "../../ports/clock.js";
import type { StudyTasksRepository } from "../../repositories/study-tasks.repository.js";
import type { TaskEventsRepository } from "../../repositories/task-events.repository.js";
import type { TaskSubmissionLink, TaskSubmissionRecord } from "../submissions/task-link.js";
import type { HintRecorder } from "../tutor.service.js";
import { applyExpiry, COMPLETABLE_STATUSES, isOverdue } from "./task-expiry.js";

export interface TaskActivityDeps {
  tasks: StudyTasksRepository;
  events: TaskEventsRepository;
  clock: Clock;
}

/**
 * What other domains do to a study task: a graded submission completes it (§8.4), a
 * tutor hint is counted (§8.6). Both only ever touch the caller's own tasks.
 */
export class TaskActivityService implements TaskSubmissionLink, HintRecorder {
  constructor(private readonly deps: TaskActivityDeps) {}

  /**
   * Before evaluation: NOT_FOUND unless the task is on one of the caller's paths;
   * CONFLICT when it cannot be completed (only scheduled and in-progress tasks can; a
   * scheduled task past its week is expired) or when it is for another problem than the
   * submission's (like submitting to a problem that is not the session's current one).
   */
  async assertSubmittable(userId: string, taskId: string, problemId: string): Promise<void> {
    await applyExpiry(this.deps.tasks, this.deps.clock, userId);
    const task = await this.deps.tasks.findOwned(userId, taskId);
    if (!task) throw AppError.notFound("Study task");
    if (!COMPLETABLE_STATUSES.includes(task.status)) {
      throw AppError.conflict(`Study task is ${task.status}; only scheduled or in-progress tasks accept submissions`, { status: task.status });
    }
    if (task.problemId !== problemId) {
      throw AppError.conflict("This study task is for another problem", { task_problem_id: task.problemId });
    }
  }

  /**
   * Inside the submission's transaction: the evaluation row, `submitted` and `evaluated`
   * events, and the task completed (score = passed/total, 0 without tests) with its
   * `status_changed` event. The row lock and the status-guarded UPDATE mean two racing
   * submissions cannot both complete it: the loser's whole transaction rolls back (409).
   */
  async record(tx: DbOrTx, record: TaskSubmissionRecord): Promise<void> {
    const now = this.deps.clock.now();
    const tasks = this.deps.tasks.with(tx);
    const current = await tasks.lockOwned(record.userId, record.taskId);
    if (!current) throw AppError.notFound("Study task");
    if (!COMPLETABLE_STATUSES.includes(current.status) || isOverdue(current, now)) {
      const status = isOverdue(current, now) ? "expired" : current.status;
      throw AppError.conflict(`Study task is ${status}; the submission was not recorded`, { status });
    }
    const score = record.testsTotal > 0 ? record.testsPassed / record.testsTotal : 0;
    const completed = await tasks.completeIfStatus(current.id, COMPLETABLE_STATUSES, now, score);
    if (!completed) throw AppError.conflict("Study task changed meanwhile; the submission was not recorded");
    const events = this.deps.events.with(tx);
    await events.recordEvaluation({
      taskId: current.id,
      submissionId: record.submissionId,
      language: record.language,
      code: record.code,
      testCasesPassed: record.testsPassed,
      testCasesTotal: record.testsTotal,
      runtimeMs: record.runtimeMs,
      errorMessage: record.errorMessage,
      metadata: { status: record.status },
    });
    const submission = { submission_id: record.submissionId };
    await events.append([
      { taskId: current.id, eventType: "submitted", payload: { ...submission, language: record.language }, createdAt: now },
      {
        taskId: current.id,
        eventType: "evaluated",
        payload: {
          ...submission,
          status: record.status,
          tests_passed: record.testsPassed,
          tests_total: record.testsTotal,
          score,
          runtime_ms: record.runtimeMs,
        },
        createdAt: now,
      },
      { taskId: current.id, eventType: "status_changed", payload: { from: current.status, to: "completed", ...submission }, createdAt: now },
    ]);
  }

  /**
   * `hints_used + 1` and a `hint_requested` event, together, on a task still being worked
   * on (scheduled or in progress). NOT_FOUND unless the caller's task; CONFLICT naming the
   * status for a completed, skipped or expired one, which rolls the caller's turn back.
   */
  async recordHintRequested(tx: DbOrTx, userId: string, taskId: string, hintLevel: number, turnId: string): Promise<void> {
    const now = this.deps.clock.now();
    const tasks = this.deps.tasks.with(tx);
    const current = await tasks.lockOwned(userId, taskId);
    if (!current) throw AppError.notFound("Study task");
    const status = isOverdue(current, now) ? "expired" : current.status;
    if (!COMPLETABLE_STATUSES.includes(status)) {
      throw AppError.conflict(`Study task is ${status}; hints are counted on scheduled or in-progress tasks only`, { status });
    }
    const task = await tasks.incrementHints(userId, taskId, COMPLETABLE_STATUSES);
    if (!task) throw AppError.conflict("Study task changed meanwhile; the hint was not counted");
    await this.deps.events
      .with(tx)
      .append([{ taskId: task.id, eventType: "hint_requested", payload: { hint_level: hintLevel, turn_id: turnId }, createdAt: now }]);
  }
}
