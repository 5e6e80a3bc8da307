import {
  STUDY_EXPORT_TRPC_LIMIT,
  type CreateStudyTasksInput,
  type ListStudyTasksInput,
  type ReviewItem,
  type StudyTask,
  type TaskEvent,
} from "@co/shared";
import type { Database } from "../../db/database.js";
import { AppError } from "../../errors/app-error.js";
import type { Clock } from "../../ports/clock.js";
import type { ProblemBank } from "../../ports/problem-bank.js";
import type { ReviewItemsRepository } from "../../repositories/review-items.repository.js";
import type { StudyPathsRepository } from "../../repositories/study-paths.repository.js";
import type { StudyTasksRepository, TaskFilter, TaskStatus } from "../../repositories/study-tasks.repository.js";
import type { NewTaskEvent, TaskEventsRepository } from "../../repositories/task-events.repository.js";
import { decodeCursor, pageOf } from "../cursor.js";
import { toReviewItem, toStudyTask, toTaskEvent } from "./study-dto.js";
import { applyExpiry, expiryCutoff, isOverdue } from "./task-expiry.js";

/** Rows per database round trip of an export. */
export const EXPORT_CHUNK_ROWS = 500;

/** How much one export may hold; the defaults suit production, tests shrink them. */
export interface ExportLimits {
  /** Rows per keyset read of the streamed export (default `EXPORT_CHUNK_ROWS`). */
  chunkRows: number;
  /** Rows of the one-value export over tRPC (default `STUDY_EXPORT_TRPC_LIMIT`). */
  trpcRows: number;
}

export interface StudyTasksDeps {
  db: Database;
  paths: StudyPathsRepository;
  tasks: StudyTasksRepository;
  events: TaskEventsRepository;
  reviews: ReviewItemsRepository;
  problemBank: ProblemBank;
  clock: Clock;
  exportLimits?: Partial<ExportLimits>;
}

interface Transition {
  from: readonly TaskStatus[];
  to: TaskStatus;
  /** Past participle for the conflict message ("started", "skipped"). */
  verb: string;
}

const START: Transition = { from: ["scheduled"], to: "in_progress", verb: "started" };
const SKIP: Transition = { from: ["scheduled", "in_progress"], to: "skipped", verb: "skipped" };

/**
 * Study tasks (§8.5): scheduling, reading (with expiry applied first), the start and skip
 * transitions, the audit log and the export. Every transition appends its events in the
 * same transaction as the guarded status change.
 */
export class StudyTasksService {
  private readonly limits: ExportLimits;

  constructor(private readonly deps: StudyTasksDeps) {
    this.limits = { chunkRows: EXPORT_CHUNK_ROWS, trpcRows: STUDY_EXPORT_TRPC_LIMIT, ...deps.exportLimits };
  }

  /**
   * Schedules tasks on one of the caller's paths, answering them in the request's order.
   * Only the requested problems are looked up (one Problem Bank lookup by id); each must be
   * of the path's subject. Module and topic tags default to the problem's.
   */
  async createBatch(userId: string, input: CreateStudyTasksInput): Promise<{ items: StudyTask[] }> {
    const owned = await this.deps.paths.findOwned(userId, input.path_id);
    if (!owned) throw AppError.notFound("Study path");
    if (owned.path.status !== "active") {
      throw AppError.conflict(`Study path is ${owned.path.status}; tasks can be added to active paths only`, { status: owned.path.status });
    }
    const requested = [...new Set(input.tasks.map((task) => task.problem_id))];
    const found = await this.deps.problemBank.findFacts(requested);
    const problemById = new Map(found.filter((problem) => problem.subject === owned.track.subject).map((problem) => [problem.id, problem]));
    const missing = requested.filter((id) => !problemById.has(id));
    if (missing.length > 0) {
      throw new AppError("NOT_FOUND", `Problem not found among the ${owned.track.subject} problems: ${missing.slice(0, 5).join(", ")}`, {
        problem_ids: missing,
      });
    }
    const now = this.deps.clock.now();
    const rows = await this.deps.db.transaction(async (tx) => {
      const tasks = this.deps.tasks.with(tx);
      const inserted = await tasks.insertMany(
        input.tasks.map((task) => {
          const problem = problemById.get(task.problem_id)!;
          return {
            pathId: owned.path.id,
            problemId: problem.id,
            module: task.module ?? problem.module,
            topicTags: task.topic_tags ?? problem.topics,
            difficulty: task.difficulty,
            scheduledAt: task.scheduled_at,
            metadata: task.metadata ?? {},
          };
        }),
      );
      await this.deps.events.with(tx).append(
        inserted.map((task) => ({ taskId: task.id, eventType: "created" as const, payload: { source: "batch" }, createdAt: now })),
      );
      if (!inserted.some((task) => isOverdue(task, now))) return inserted;
      // Scheduled more than a week ago: expired from the first read, this one included.
      await tasks.expireOverdue(userId, expiryCutoff(now), now);
      const current = new Map((await tasks.byIds(inserted.map((task) => task.id))).map((task) => [task.id, task]));
      return inserted.map((task) => current.get(task.id) ?? task);
    });
    return { items: rows.map(toStudyTask) };
  }

  /** The earliest scheduled task of the caller's active paths; NOT_FOUND when none is left. */
  async next(userId: string): Promise<StudyTask> {
    await this.expire(userId);
    const row = await this.deps.tasks.nextScheduled(userId);
    if (!row) throw AppError.notFound("Scheduled study task");
    return toStudyTask(row);
  }

  /** The caller's tasks, earliest scheduled first, keyset-paged. */
  async list(userId: string, input: ListStudyTasksInput) {
    const after = decodeCursor(input.cursor);
    if (input.path_id && !(await this.deps.paths.findOwned(userId, input.path_id))) throw AppError.notFound("Study path");
    await this.expire(userId);
    const filter: TaskFilter = {
      ...(input.path_id ? { pathId: input.path_id } : {}),
      ...(input.module ? { module: input.module } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(input.from ? { from: input.from } : {}),
      ...(input.to ? { to: input.to } : {}),
    };
    const rows = await this.deps.tasks.list(userId, filter, { limit: input.limit + 1, ...(after ? { after } : {}) });
    return pageOf(rows, input.limit, toStudyTask, (row) => ({ at: row.scheduledAt, id: row.id }));
  }

  /** The caller's review items due now, earliest first. */
  async reviewDue(userId: string, limit: number): Promise<{ items: ReviewItem[] }> {
    const now = this.deps.clock.now();
    const rows = await this.deps.reviews.listDue(userId, now, limit);
    return { items: rows.map((row) => toReviewItem(row, now)) };
  }

  /** scheduled → in_progress (sets `started_at`); CONFLICT from any other status, expired included. */
  start(userId: string, id: string): Promise<StudyTask> {
    return this.transition(userId, id, START);
  }

  /** scheduled | in_progress → skipped; CONFLICT otherwise. */
  skip(userId: string, id: string): Promise<StudyTask> {
    return this.transition(userId, id, SKIP);
  }

  /** Every event of one of the caller's tasks, oldest first. */
  async events(userId: string, id: string): Promise<{ items: TaskEvent[] }> {
    await this.expire(userId);
    const task = await this.deps.tasks.findOwned(userId, id);
    if (!task) throw AppError.notFound("Study task");
    const rows = await this.deps.events.listForTask(task.id);
    return { items: rows.map(toTaskEvent) };
  }

  /**
   * The caller's tasks scheduled in [from, to), earliest first, in chunks of
   * `chunkRows` (500) read by keyset: memory stays flat whatever the history's size.
   */
  async *exportChunks(userId: string, range: { from?: Date | undefined; to?: Date | undefined }): AsyncGenerator<StudyTask[]> {
    await this.expire(userId);
    const filter: TaskFilter = { ...(range.from ? { from: range.from } : {}), ...(range.to ? { to: range.to } : {}) };
    let after: { at: Date; id: string } | undefined;
    for (;;) {
      const rows = await this.deps.tasks.list(userId, filter, { limit: this.limits.chunkRows, ...(after ? { after } : {}) });
      if (rows.length > 0) yield rows.map(toStudyTask);
      if (rows.length < this.limits.chunkRows) return;
      const last = rows[rows.length - 1]!;
      after = { at: last.scheduledAt, id: last.id };
    }
  }

  /** The export as one JSON value, bounded to `trpcRows` (`STUDY_EXPORT_TRPC_LIMIT`) rows, for tRPC and the SDK. */
  async export(userId: string, range: { from?: Date | undefined; to?: Date | undefined }): Promise<{ items: StudyTask[]; truncated: boolean }> {
    const items: StudyTask[] = [];
    const bound = this.limits.trpcRows;
    for await (const chunk of this.exportChunks(userId, range)) {
      items.push(...chunk);
      if (items.length > bound) return { items: items.slice(0, bound), truncated: true };
    }
    return { items, truncated: false };
  }

  /**
   * Expires overdue tasks, then in one transaction: lock the caller's task, check the move
   * is allowed, apply it with a status-guarded UPDATE, append `status_changed` (and `started`).
   */
  private async transition(userId: string, id: string, transition: Transition): Promise<StudyTask> {
    await this.expire(userId);
    const now = this.deps.clock.now();
    const row = await this.deps.db.transaction(async (tx) => {
      const tasks = this.deps.tasks.with(tx);
      const current = await tasks.lockOwned(userId, id);
      if (!current) throw AppError.notFound("Study task");
      // A task whose week ran out since the expiry above is expired all the same.
      const status = isOverdue(current, now) ? "expired" : current.status;
      const conflict = () =>
        AppError.conflict(`Study task is ${status}; only ${transition.from.join(" or ")} tasks can be ${transition.verb}`, { status });
      if (status !== current.status || !transition.from.includes(current.status)) throw conflict();
      const updated = await tasks.updateIfStatus(id, transition.from, {
        status: transition.to,
        ...(transition.to === "in_progress" ? { startedAt: now } : {}),
      });
      if (!updated) throw conflict();
      const events: NewTaskEvent[] = [
        { taskId: id, eventType: "status_changed", payload: { from: current.status, to: transition.to }, createdAt: now },
      ];
      if (transition.to === "in_progress") events.push({ taskId: id, eventType: "started", payload: {}, createdAt: now });
      await this.deps.events.with(tx).append(events);
      return updated;
    });
    return toStudyTask(row);
  }

  private expire(userId: string): Promise<void> {
    return applyExpiry(this.deps.tasks, this.deps.clock, userId);
  }
}

