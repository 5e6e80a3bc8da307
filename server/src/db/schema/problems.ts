import { sql } from "drizzle-orm";
import { check, doublePrecision, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, oneOf } from "./columns.js";
import { SUBJECTS, tracks } from "./tracks.js";
import { COMPARE_MODES, PROBLEM_TYPES } from "@co/shared/enums";

/** Problem kinds are the contract's problem types. */
export const PROBLEM_KINDS = PROBLEM_TYPES;

export interface StoredTestCase {
  input: unknown[];
  expected: unknown;
}

/** The local problem bank. Hidden tests, references, hints and answers stay server-side. */
export const problems = pgTable(
  "problems",
  {
    id: text("id").primaryKey(),
    subject: text("subject", { enum: SUBJECTS }).notNull(),
    title: text("title").notNull(),
    statement: text("statement").notNull(),
    difficulty: integer("difficulty").notNull(),
    topics: jsonb("topics").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    outcomes: jsonb("outcomes").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    trackId: uuid("track_id").references(() => tracks.id, { onDelete: "set null" }),
    module: text("module"),
    /** Position within the track module, so track listings keep authoring order. */
    position: integer("position").notNull().default(0),
    kind: text("kind", { enum: PROBLEM_KINDS }).notNull(),
    entrypoint: jsonb("entrypoint").$type<{ python: string; javascript: string }>(),
    compare: text("compare", { enum: COMPARE_MODES }),
    visibleTests: jsonb("visible_tests").$type<StoredTestCase[]>().notNull().default(sql`'[]'::jsonb`),
    hiddenTests: jsonb("hidden_tests").$type<StoredTestCase[]>().notNull().default(sql`'[]'::jsonb`),
    referenceSolutions: jsonb("reference_solutions").$type<{ python: string; javascript: string }>(),
    expectedAnswer: text("expected_answer"),
    tolerance: doublePrecision("tolerance"),
    variables: jsonb("variables").$type<string[]>(),
    hints: jsonb("hints").$type<{ "1": string; "2": string; "3": string }>().notNull(),
    starterCode: jsonb("starter_code").$type<{ python?: string; javascript?: string }>(),
    contentHash: text("content_hash").notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    check("problems_subject_check", oneOf("subject", SUBJECTS)),
    check("problems_kind_check", oneOf("kind", PROBLEM_KINDS)),
    check("problems_difficulty_check", sql`${table.difficulty} BETWEEN 1 AND 5`),
    check("problems_tolerance_check", sql`${table.tolerance} IS NULL OR ${table.tolerance} > 0`),
    index("problems_subject_idx").on(table.subject, table.difficulty),
    index("problems_track_module_idx").on(table.trackId, table.module, table.position),
  ],
);
