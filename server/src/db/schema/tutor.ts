import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id, newestFirst, oneOf, timestampTz } from "./columns.js";
import { sessions } from "./sessions.js";
import { TUTOR_TURN_STATUSES } from "@co/shared/enums";

export { TUTOR_TURN_STATUSES };

export const tutorTurns = pgTable(
  "tutor_turns",
  {
    id: id(),
    userId: text("user_id").notNull(),
    sessionId: uuid("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    problemId: text("problem_id").notNull(),
    hintLevel: integer("hint_level").notNull(),
    provider: text("provider").notNull(),
    status: text("status", { enum: TUTOR_TURN_STATUSES }).notNull().default("streaming"),
    content: text("content").notNull().default(""),
    tokens: integer("tokens"),
    createdAt: createdAt(),
    finishedAt: timestampTz("finished_at"),
  },
  (table) => [
    check("tutor_turns_status_check", oneOf("status", TUTOR_TURN_STATUSES)),
    check("tutor_turns_hint_level_check", sql`${table.hintLevel} BETWEEN 1 AND 3`),
    index("tutor_turns_user_idx").on(table.userId, newestFirst(table.createdAt)),
    index("tutor_turns_session_idx").on(table.sessionId),
  ],
);
