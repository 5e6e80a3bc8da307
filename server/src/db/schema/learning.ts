import { sql } from "drizzle-orm";
import { check, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, timestampTz } from "./columns.js";
import { SUBJECTS } from "./tracks.js";
import { MASTERY_KEY_TYPES, REVIEW_REASONS } from "@co/shared/enums";

export { MASTERY_KEY_TYPES, REVIEW_REASONS };

/** Per-user mastery of a topic or outcome: an EMA of pass (1) / fail (0) observations. */
export const mastery = pgTable(
  "mastery",
  {
    userId: text("user_id").notNull(),
    keyType: text("key_type", { enum: MASTERY_KEY_TYPES }).notNull(),
    keyId: text("key_id").notNull(),
    score: integer("score").notNull(),
    ema: doublePrecision("ema").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.keyType, table.keyId] }),
    check("mastery_key_type_check", oneOf("key_type", MASTERY_KEY_TYPES)),
    check("mastery_score_check", sql`${table.score} BETWEEN 0 AND 100`),
    check("mastery_ema_check", sql`${table.ema} >= 0 AND ${table.ema} <= 1`),
  ],
);

/** Spaced-repetition queue: one row per (user, problem). */
export const reviewQueue = pgTable(
  "review_queue",
  {
    id: id(),
    userId: text("user_id").notNull(),
    problemId: text("problem_id").notNull(),
    subject: text("subject", { enum: SUBJECTS }).notNull(),
    /** Track slug copied from the problem, so due items filter without a neighbour call. */
    track: text("track"),
    reason: text("reason", { enum: REVIEW_REASONS }).notNull(),
    nextDueAt: timestampTz("next_due_at").notNull(),
    bucket: integer("bucket").notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    unique("review_queue_user_problem_key").on(table.userId, table.problemId),
    check("review_queue_subject_check", oneOf("subject", SUBJECTS)),
    check("review_queue_reason_check", oneOf("reason", REVIEW_REASONS)),
    check("review_queue_bucket_check", sql`${table.bucket} >= 0`),
    index("review_queue_user_due_idx").on(table.userId, table.nextDueAt),
  ],
);
