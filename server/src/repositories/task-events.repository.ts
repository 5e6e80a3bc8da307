import { asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../db/database.js";
import { taskEvaluations, taskEvents } from "../db/schema/index.js";

export type TaskEventRow = typeof taskEvents.$inferSelect;
export type NewTaskEvent = typeof taskEvents.$inferInsert;
export type NewTaskEvaluation = typeof taskEvaluations.$inferInsert;

/** The append-only history of tasks: events and the evaluations of their submissions. */
export class TaskEventsRepository {
  constructor(private readonly db: DbOrTx) {}

  with(db: DbOrTx): TaskEventsRepository {
    return new TaskEventsRepository(db);
  }

  /** Appends in the given order (which is the order `listForTask` returns them in). */
  async append(events: NewTaskEvent[]): Promise<void> {
    if (events.length > 0) await this.db.insert(taskEvents).values(events);
  }

  /** Chronological: by sequence number, so events of one transaction keep their order. */
  listForTask(taskId: string): Promise<TaskEventRow[]> {
    return this.db.select().from(taskEvents).where(eq(taskEvents.taskId, taskId)).orderBy(asc(taskEvents.seq));
  }

  async recordEvaluation(values: NewTaskEvaluation): Promise<void> {
    await this.db.insert(taskEvaluations).values(values);
  }
}
