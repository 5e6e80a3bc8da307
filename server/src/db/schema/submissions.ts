import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, newestFirst, oneOf } from "./columns.js";
import { sessions } from "./sessions.js";
import { SUBJECTS } from "./tracks.js";
import type { SubmissionFeedback } from "@co/shared";
import { LANGUAGES, SUBMISSION_STATUSES, type FailureCategory } from "@co/shared/enums";

export { SUBMISSION_STATUSES };

export const submissions = pgTable(
  "submissions",
  {
    id: id(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull(),
    problemId: text("problem_id").notNull(),
    subject: text("subject", { enum: SUBJECTS }).notNull(),
    language: text("language", { enum: LANGUAGES }),
    status: text("status", { enum: SUBMISSION_STATUSES }).notNull(),
    visiblePassed: integer("visible_passed").notNull().default(0),
    visibleTotal: integer("visible_total").notNull().default(0),
    hiddenPassed: integer("hidden_passed").notNull().default(0),
    hiddenTotal: integer("hidden_total").notNull().default(0),
    categories: jsonb("categories").$type<FailureCategory[]>().notNull().default(sql`'[]'::jsonb`),
    execMs: integer("exec_ms").notNull().default(0),
    /** Visible-test details only: hidden inputs and expectations are never stored here. */
    details: jsonb("details").$type<unknown[]>().notNull().default(sql`'[]'::jsonb`),
    pillarScores: jsonb("pillar_scores").$type<Record<string, number>>(),
    signalMetadata: jsonb("signal_metadata").$type<Record<string, unknown>>(),
    feedback: jsonb("feedback").$type<SubmissionFeedback>(),
    payloadSha256: text("payload_sha256").notNull(),
    idempotencyKey: text("idempotency_key"),
    taskId: uuid("task_id"),
    createdAt: createdAt(),
  },
  (table) => [
    check("submissions_subject_check", oneOf("subject", SUBJECTS)),
    check("submissions_status_check", oneOf("status", SUBMISSION_STATUSES)),
    check(
      "submissions_counts_check",
      sql`${table.visiblePassed} BETWEEN 0 AND ${table.visibleTotal} AND ${table.hiddenPassed} BETWEEN 0 AND ${table.hiddenTotal}`,
    ),
    index("submissions_user_created_idx").on(table.userId, newestFirst(table.createdAt), newestFirst(table.id)),
    index("submissions_session_idx").on(table.sessionId, newestFirst(table.createdAt)),
    index("submissions_user_problem_idx").on(table.userId, table.problemId, newestFirst(table.createdAt)),
    // Whether a session already failed a problem (the review rating asks on every submission):
    // one probe, where submissions_session_idx would walk every attempt of a session that never failed.
    index("submissions_session_failures_idx")
      .on(table.sessionId, table.problemId)
      .where(sql`${table.status} <> 'passed'`),
    uniqueIndex("submissions_idempotency_idx")
      .on(table.userId, table.idempotencyKey)
      .where(sql`${table.idempotencyKey} IS NOT NULL`),
  ],
);
