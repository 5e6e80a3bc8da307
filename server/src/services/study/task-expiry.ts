import type { Clock } from "../../ports/clock.js";
import type { StudyTasksRepository, StudyTaskRow, TaskStatus } from "../../repositories/study-tasks.repository.js";

/** A task still `scheduled` this long after `scheduled_at` is `expired` (§8.5). */
export const TASK_EXPIRY_MS = 7 * 86_400_000;

/** Statuses a graded submission may complete. */
export const COMPLETABLE_STATUSES: readonly TaskStatus[] = ["scheduled", "in_progress"];

export const expiryCutoff = (now: Date) => new Date(now.getTime() - TASK_EXPIRY_MS);

/** True when the row says `scheduled` but its week has passed (expiry not yet written). */
export const isOverdue = (task: Pick<StudyTaskRow, "status" | "scheduledAt">, now: Date) =>
  task.status === "scheduled" && task.scheduledAt.getTime() < expiryCutoff(now).getTime();

/**
 * Expiry is applied when tasks are read: before a read, one set-based statement expires
 * the user's overdue tasks and logs their `status_changed` events.
 */
export function applyExpiry(tasks: StudyTasksRepository, clock: Clock, userId: string): Promise<void> {
  const now = clock.now();
  return tasks.expireOverdue(userId, expiryCutoff(now), now);
}
