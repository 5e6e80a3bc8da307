import { index, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, id } from "./columns.js";
import { submissions } from "./submissions.js";

export const rubrics = pgTable("rubrics", {
  id: id(),
  domain: text("domain").notNull(),
  title: text("title").notNull(),
  dimensions: jsonb("dimensions").$type<{ id: string; title: string; weight: number }[]>().notNull(),
  metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  createdAt: createdAt(),
});

export const rubricScores = pgTable(
  "rubric_scores",
  {
    id: id(),
    rubricId: uuid("rubric_id")
      .notNull()
      .references(() => rubrics.id, { onDelete: "cascade" }),
    submissionId: uuid("submission_id")
      .notNull()
      .references(() => submissions.id, { onDelete: "cascade" }),
    scores: jsonb("scores").$type<Record<string, number>>().notNull(),
    feedback: jsonb("feedback").$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (table) => [index("rubric_scores_submission_idx").on(table.submissionId)],
);
