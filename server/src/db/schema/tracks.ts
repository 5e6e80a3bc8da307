import { sql } from "drizzle-orm";
import { check, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt, id, oneOf } from "./columns.js";
import { SUBJECTS } from "@co/shared/enums";

export { SUBJECTS };

export interface TrackModule {
  id: string;
  title: string;
  outcomes: string[];
}

export const tracks = pgTable(
  "tracks",
  {
    id: id(),
    slug: text("slug").notNull().unique(),
    subject: text("subject", { enum: SUBJECTS }).notNull(),
    title: text("title").notNull(),
    labels: jsonb("labels").$type<string[]>().notNull().default(sql`'[]'::jsonb`),
    modules: jsonb("modules").$type<TrackModule[]>().notNull().default(sql`'[]'::jsonb`),
    version: text("version").notNull().default("v1"),
    createdAt: createdAt(),
  },
  (table) => [check("tracks_subject_check", oneOf("subject", SUBJECTS))],
);
