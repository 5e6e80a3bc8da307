-- Every existing review row gets an FSRS card derived from its bucket. Rows queued by the
-- bucket rule all failed once (lapses 1) and passed `bucket` times since (reps bucket + 1).
-- A bucket's interval is what that schedule trusted the memory to last, so it becomes the
-- stability (FSRS's interval at 90 % recall), with the default intervals 1, 3, 7, 21 days
-- (the configured ones are not visible to SQL); the last review is that long before the
-- row's due date, which is kept. Difficulty starts mid-scale (5 of 1-10).
UPDATE "review_queue" SET
  "stability" = (ARRAY[1, 3, 7, 21]::float8[])[LEAST("bucket", 3) + 1],
  "difficulty" = 5,
  "state" = 'review',
  "reps" = "bucket" + 1,
  "lapses" = 1,
  "scheduled_days" = (ARRAY[1, 3, 7, 21]::int[])[LEAST("bucket", 3) + 1],
  "learning_steps" = 0,
  "last_review" = "next_due_at" - (ARRAY[1, 3, 7, 21]::int[])[LEAST("bucket", 3) + 1] * interval '1 day'
WHERE "stability" IS NULL;
--> statement-breakpoint
-- Existing mastery starts its Elo skill from the EMA on the logit scale (clamped to ±3),
-- so a learner's history is not forgotten; the attempt count starts at 0 (full K).
UPDATE "mastery" SET "skill" = GREATEST(-3, LEAST(3, ln(GREATEST(0.01, LEAST(0.99, "ema")) / (1 - GREATEST(0.01, LEAST(0.99, "ema"))))));
