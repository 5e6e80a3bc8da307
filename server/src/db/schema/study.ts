import { sql } from "drizzle-orm";
import { bigint, check, doublePrecision, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, newestFirst, oneOf, timestampTz } from "./columns.js";
import { submissions } from "./submissions.js";
import { tracks } from "./tracks.js";
import { STUDY_PATH_STATUSES, TASK_EVENT_TYPES, TASK_STATUSES } from "@co/shared/enums";

export { STUDY_PATH_STATUSES, TASK_EVENT_TYPES, TASK_STATUSES };

export const studyPaths = pgTable(
  "study_paths",
  {
    id: id(),
    userId: text("user_id").notNull(),
    trackId: uuid("track_id")
      .notNull()
      .references(() => tracks.id),
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status", { enum: STUDY_PATH_STATUSES }).notNull().default("active"),
    createdAt: createdAt(),
    updatedAt: timestampTz("updated_at").notNull().defaultNow(),
  },
  (table) => [
    check("study_paths_status_check", oneOf("status", STUDY_PATH_STATUSES)),
    index("study_paths_user_idx").on(table.userId, table.status, newestFirst(table.createdAt)),
  ],
);

export const studyTasks = pgTable(
  "study_tasks",
  {
    id: id(),
    pathId: uuid("path_id")
      .notNull()
      .references(() => studyPaths.id, { onDelete: "cascade" }),
    problemId: text("problem_id").notNull(),
    module: text("module"),
    topicTags: jsonb("topic_tags").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    difficulty: integer("difficulty").notNull(),
    scheduledAt: timestampTz("scheduled_at").notNull(),
    startedAt: timestampTz("started_at"),
    completedAt: timestampTz("completed_at"),
    status: text("status", { enum: TASK_STATUSES }).notNull().default("scheduled"),
    score: doublePrecision("score"),
    timeSpentSeconds: integer("time_spent_seconds"),
    hintsUsed: integer("hints_used").notNull().default(0),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    check("study_tasks_status_check", oneOf("status", TASK_STATUSES)),
    check("study_tasks_difficulty_check", sql`${table.difficulty} BETWEEN 1 AND 5`),
    check("study_tasks_score_check", sql`${table.score} IS NULL OR (${table.score} >= 0 AND ${table.score} <= 1)`),
    check("study_tasks_hints_check", sql`${table.hintsUsed} >= 0`),
    index("study_tasks_path_schedule_idx").on(table.pathId, table.scheduledAt),
    index("study_tasks_path_status_idx").on(table.pathId, table.status, table.scheduledAt),
  ],
);

/**
 * Append-only audit trail of a task. `seq` orders events chronologically: several events
 * written in one transaction share its `created_at`, but never a sequence number.
 */
export const taskEvents = pgTable(
  "task_events",
  {
    id: id(),
    seq: bigint("seq", { mode: "number" }).notNull().generatedAlwaysAsIdentity(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => studyTasks.id, { onDelete: "cascade" }),
    eventType: text("event_type", { enum: TASK_EVENT_TYPES }).notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    check("task_events_type_check", oneOf("event_type", TASK_EVENT_TYPES)),
    index("task_events_task_seq_idx").on(table.taskId, table.seq),
  ],
);

export const taskEvaluations = pgTable(
  "task_evaluations",
  {
    id: id(),
    taskId: uuid("task_id")
      .notNull()
      .references(() => studyTasks.id, { onDelete: "cascade" }),
    submissionId: uuid("submission_id")
      .notNull()
      .references(() => submissions.id, { onDelete: "cascade" }),
    language: text("language"),
    code: text("code"),
    testCasesPassed: integer("test_cases_passed").notNull(),
    testCasesTotal: integer("test_cases_total").notNull(),
    runtimeMs: integer("runtime_ms"),
    memoryMb: doublePrecision("memory_mb"),
    errorMessage: text("error_message"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (table) => [
    check("task_evaluations_counts_check", sql`${table.testCasesPassed} BETWEEN 0 AND ${table.testCasesTotal}`),
    index("task_evaluations_task_idx").on(table.taskId),
  ],
);
