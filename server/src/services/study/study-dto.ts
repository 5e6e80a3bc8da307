import type { StudyPath, StudyTask, TaskEvent } from "@co/shared";
import type { StudyPathRow } from "../../repositories/study-paths.repository.js";
import type { StudyTaskRow } from "../../repositories/study-tasks.repository.js";
import type { TaskEventRow } from "../../repositories/task-events.repository.js";

export const toStudyTask = (row: StudyTaskRow): StudyTask => ({
  id: row.id,
  path_id: row.pathId,
  problem_id: row.problemId,
  module: row.module,
  topic_tags: row.topicTags,
  difficulty: row.difficulty,
  scheduled_at: row.scheduledAt,
  started_at: row.startedAt,
  completed_at: row.completedAt,
  status: row.status,
  score: row.score,
  time_spent_seconds: row.timeSpentSeconds,
  hints_used: row.hintsUsed,
  metadata: row.metadata,
});

export const toStudyPath = (row: StudyPathRow): StudyPath => ({
  id: row.id,
  user_id: row.userId,
  track_id: row.trackId,
  config: row.config,
  status: row.status,
  created_at: row.createdAt,
  updated_at: row.updatedAt,
});

export const toTaskEvent = (row: TaskEventRow): TaskEvent => ({
  id: row.id,
  task_id: row.taskId,
  event_type: row.eventType,
  payload: row.payload,
  created_at: row.createdAt,
});

export { toReviewItem } from "../learning/review-item.js";
