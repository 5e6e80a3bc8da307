import { sql } from "drizzle-orm";
import { check, doublePrecision, index, integer, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf, timestampTz } from "./columns.js";
import { SUBJECTS } from "./tracks.js";
import { MASTERY_KEY_TYPES, REVIEW_REASONS } from "@co/shared/enums";

export { MASTERY_KEY_TYPES, REVIEW_REASONS };
/** FSRS card phases (ts-fsrs `State`, by name). */
export const CARD_STATES = ["new", "learning", "review", "relearning"] as const;

/**
 * Per-user mastery of a topic or outcome: an EMA of pass (1) / fail (0) observations
 * (`score`, `ema`), and the Elo skill θ (`skill`, logits) with the attempts it has seen.
 */
export const mastery = pgTable(
  "mastery",
  {
    userId: text("user_id").notNull(),
    keyType: text("key_type", { enum: MASTERY_KEY_TYPES }).notNull(),
    keyId: text("key_id").notNull(),
    score: integer("score").notNull(),
    ema: doublePrecision("ema").notNull(),
    skill: doublePrecision("skill").notNull().default(0),
    attempts: integer("attempts").notNull().default(0),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.keyType, table.keyId] }),
    check("mastery_key_type_check", oneOf("key_type", MASTERY_KEY_TYPES)),
    check("mastery_score_check", sql`${table.score} BETWEEN 0 AND 100`),
    check("mastery_ema_check", sql`${table.ema} >= 0 AND ${table.ema} <= 1`),
    check("mastery_attempts_check", sql`${table.attempts} >= 0`),
  ],
);

/**
 * Elo difficulty β of a problem (logits) over all learners. A problem without a row has
 * never been graded and starts from its authored difficulty. Subject and track are copied
 * from the problem so recommendation reads one subject's (or track's) rows in one query.
 */
export const problemDifficulty = pgTable(
  "problem_difficulty",
  {
    problemId: text("problem_id").primaryKey(),
    subject: text("subject", { enum: SUBJECTS }).notNull(),
    track: text("track"),
    beta: doublePrecision("beta").notNull(),
    attempts: integer("attempts").notNull().default(0),
    updatedAt: timestampTz("updated_at").notNull().defaultNow(),
  },
  (table) => [
    check("problem_difficulty_subject_check", oneOf("subject", SUBJECTS)),
    check("problem_difficulty_attempts_check", sql`${table.attempts} >= 0`),
    index("problem_difficulty_subject_idx").on(table.subject, table.track),
  ],
);

/**
 * Spaced repetition: one row per (user, problem) with its FSRS card. `reason` null means
 * the card is kept (every graded attempt reviews it) but the problem is not queued for
 * review. Card columns are null on rows the bucket scheduler wrote (a new card to FSRS).
 */
export const reviewQueue = pgTable(
  "review_queue",
  {
    id: id(),
    userId: text("user_id").notNull(),
    problemId: text("problem_id").notNull(),
    subject: text("subject", { enum: SUBJECTS }).notNull(),
    /** Track slug copied from the problem, so due items filter without a neighbour call. */
    track: text("track"),
    reason: text("reason", { enum: REVIEW_REASONS }),
    /** The card's due date (FSRS) or the bucket's (buckets). */
    nextDueAt: timestampTz("next_due_at").notNull(),
    bucket: integer("bucket").notNull().default(0),
    stability: doublePrecision("stability"),
    difficulty: doublePrecision("difficulty"),
    state: text("state", { enum: CARD_STATES }),
    reps: integer("reps").notNull().default(0),
    lapses: integer("lapses").notNull().default(0),
    lastReview: timestampTz("last_review"),
    scheduledDays: integer("scheduled_days").notNull().default(0),
    learningSteps: integer("learning_steps").notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [
    unique("review_queue_user_problem_key").on(table.userId, table.problemId),
    check("review_queue_subject_check", oneOf("subject", SUBJECTS)),
    check("review_queue_reason_check", oneOf("reason", REVIEW_REASONS)),
    check("review_queue_bucket_check", sql`${table.bucket} >= 0`),
    check("review_queue_state_check", oneOf("state", CARD_STATES)),
    check("review_queue_card_check", sql`${table.reps} >= 0 AND ${table.lapses} >= 0 AND (${table.stability} IS NULL OR ${table.stability} > 0)`),
    index("review_queue_user_due_idx").on(table.userId, table.nextDueAt),
  ],
);
