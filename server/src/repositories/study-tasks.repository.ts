import { and, asc, eq, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { studyPaths, studyTasks, TASK_STATUSES } from "../db/schema/index.js";
import { afterKey, type Position } from "../db/keyset.js";

export type StudyTaskRow = typeof studyTasks.$inferSelect;
export type NewStudyTask = typeof studyTasks.$inferInsert;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskFilter {
  pathId?: string;
  module?: string;
  status?: TaskStatus;
  /** scheduled_at >= from */
  from?: Date;
  /** scheduled_at < to */
  to?: Date;
}

/** Earliest first: scheduled_at, then id, so keyset pages never skip or repeat a row. */
const scheduleOrder = [asc(studyTasks.scheduledAt), asc(studyTasks.id)];

const afterPosition = (position: Position): SQL => afterKey({ at: studyTasks.scheduledAt, id: studyTasks.id }, position.at, position.id);

/**
 * Study tasks. Every read and write that takes a user id is confined to that user's
 * paths in its WHERE clause, so another user's task id behaves like an unknown one.
 */
export class StudyTasksRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): StudyTasksRepository {
    return new StudyTasksRepository(db);
  }

  private ownedBy(userId: string): SQL {
    return inArray(studyTasks.pathId, this.db.select({ id: studyPaths.id }).from(studyPaths).where(eq(studyPaths.userId, userId)));
  }

  insertMany(values: NewStudyTask[]): Promise<StudyTaskRow[]> {
    if (values.length === 0) return Promise.resolve([]);
    return this.db.insert(studyTasks).values(values).returning();
  }

  /**
   * Marks the user's tasks still `scheduled` before `cutoff` as `expired` and appends a
   * `status_changed` event for each: one statement, however many tasks it touches.
   * Racing calls cannot double-expire: the second sees the status already changed.
   */
  async expireOverdue(userId: string, cutoff: Date, now: Date): Promise<void> {
    const payload = JSON.stringify({ from: "scheduled", to: "expired", reason: "not started within 7 days of scheduled_at" });
    await this.db.execute(sql`
      WITH expired AS (
        UPDATE study_tasks SET status = 'expired'
        WHERE status = 'scheduled'
          AND scheduled_at < ${cutoff.toISOString()}::timestamptz
          AND path_id IN (SELECT id FROM study_paths WHERE user_id = ${userId})
        RETURNING id
      )
      INSERT INTO task_events (task_id, event_type, payload, created_at)
      SELECT id, 'status_changed', ${payload}::jsonb, ${now.toISOString()}::timestamptz FROM expired`);
  }

  async findOwned(userId: string, id: string): Promise<StudyTaskRow | undefined> {
    const [row] = await this.db
      .select()
      .from(studyTasks)
      .where(and(eq(studyTasks.id, id), this.ownedBy(userId)))
      .limit(1);
    return row;
  }

  /** The caller's task, row-locked until the transaction ends (use inside one). */
  async lockOwned(userId: string, id: string): Promise<StudyTaskRow | undefined> {
    const [row] = await this.db
      .select()
      .from(studyTasks)
      .where(and(eq(studyTasks.id, id), this.ownedBy(userId)))
      .limit(1)
      .for("update");
    return row;
  }

  byIds(ids: string[]): Promise<StudyTaskRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db
      .select()
      .from(studyTasks)
      .where(inArray(studyTasks.id, ids))
      .orderBy(...scheduleOrder);
  }

  /** Applies `changes` only while the task is in one of `from`; undefined when it is not. */
  async updateIfStatus(
    id: string,
    from: readonly TaskStatus[],
    changes: Partial<Pick<NewStudyTask, "status" | "startedAt">>,
  ): Promise<StudyTaskRow | undefined> {
    const [row] = await this.db
      .update(studyTasks)
      .set(changes)
      .where(and(eq(studyTasks.id, id), inArray(studyTasks.status, [...from])))
      .returning();
    return row;
  }

  /**
   * Completes the task while it is in one of `from`, with `time_spent_seconds` counted
   * in SQL from `started_at` (null when never started). Undefined when it is not.
   */
  async completeIfStatus(id: string, from: readonly TaskStatus[], now: Date, score: number): Promise<StudyTaskRow | undefined> {
    const [row] = await this.db
      .update(studyTasks)
      .set({
        status: "completed",
        completedAt: now,
        score,
        timeSpentSeconds: sql`CASE WHEN ${studyTasks.startedAt} IS NULL THEN NULL
          ELSE GREATEST(0, ROUND(EXTRACT(EPOCH FROM (${now.toISOString()}::timestamptz - ${studyTasks.startedAt}))))::int END`,
      })
      .where(and(eq(studyTasks.id, id), inArray(studyTasks.status, [...from])))
      .returning();
    return row;
  }

  /** `hints_used + 1` in SQL (no lost update) while the task is in one of `from`; undefined when not, or not the user's. */
  async incrementHints(userId: string, id: string, from: readonly TaskStatus[]): Promise<StudyTaskRow | undefined> {
    const [row] = await this.db
      .update(studyTasks)
      .set({ hintsUsed: sql`${studyTasks.hintsUsed} + 1` })
      .where(and(eq(studyTasks.id, id), this.ownedBy(userId), inArray(studyTasks.status, [...from])))
      .returning();
    return row;
  }

  /** At most `limit` of the user's tasks matching the filter, earliest first, after `after` when given. */
  list(userId: string, filter: TaskFilter, options: { limit: number; after?: Position }): Promise<StudyTaskRow[]> {
    const conditions = [this.ownedBy(userId), ...this.filterConditions(filter)];
    if (options.after) conditions.push(afterPosition(options.after));
    return this.db
      .select()
      .from(studyTasks)
      .where(and(...conditions))
      .orderBy(...scheduleOrder)
      .limit(options.limit);
  }

  /** The earliest `scheduled` task on one of the user's active paths. */
  async nextScheduled(userId: string): Promise<StudyTaskRow | undefined> {
    const [row] = await this.db
      .select({ task: studyTasks })
      .from(studyTasks)
      .innerJoin(studyPaths, eq(studyPaths.id, studyTasks.pathId))
      .where(and(eq(studyPaths.userId, userId), eq(studyPaths.status, "active"), eq(studyTasks.status, "scheduled")))
      .orderBy(...scheduleOrder)
      .limit(1);
    return row?.task;
  }

  private filterConditions(filter: TaskFilter): SQL[] {
    const conditions: SQL[] = [];
    if (filter.pathId) conditions.push(eq(studyTasks.pathId, filter.pathId));
    if (filter.module) conditions.push(eq(studyTasks.module, filter.module));
    if (filter.status) conditions.push(eq(studyTasks.status, filter.status));
    if (filter.from) conditions.push(gte(studyTasks.scheduledAt, filter.from));
    if (filter.to) conditions.push(lt(studyTasks.scheduledAt, filter.to));
    return conditions;
  }
}
