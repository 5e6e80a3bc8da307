import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { id, newestFirst, oneOf, timestampTz } from "./columns.js";
import { SUBJECTS, tracks } from "./tracks.js";
import { SESSION_MODES, SESSION_STATUSES } from "@co/shared/enums";

export { SESSION_MODES, SESSION_STATUSES };

export const sessions = pgTable(
  "sessions",
  {
    id: id(),
    userId: text("user_id").notNull(),
    subject: text("subject", { enum: SUBJECTS }).notNull(),
    mode: text("mode", { enum: SESSION_MODES }).notNull(),
    trackId: uuid("track_id").references(() => tracks.id),
    /** No foreign key: with a remote problem bank the problem lives in another service. */
    problemId: text("problem_id"),
    status: text("status", { enum: SESSION_STATUSES }).notNull().default("active"),
    lastHintLevel: integer("last_hint_level").notNull().default(0),
    startedAt: timestampTz("started_at").notNull().defaultNow(),
    updatedAt: timestampTz("updated_at").notNull().defaultNow(),
  },
  (table) => [
    check("sessions_subject_check", oneOf("subject", SUBJECTS)),
    check("sessions_mode_check", oneOf("mode", SESSION_MODES)),
    check("sessions_status_check", oneOf("status", SESSION_STATUSES)),
    check("sessions_hint_level_check", sql`${table.lastHintLevel} BETWEEN 0 AND 3`),
    check("sessions_track_mode_check", sql`${table.mode} <> 'track' OR ${table.trackId} IS NOT NULL`),
    index("sessions_user_started_idx").on(table.userId, newestFirst(table.startedAt), newestFirst(table.id)),
  ],
);
