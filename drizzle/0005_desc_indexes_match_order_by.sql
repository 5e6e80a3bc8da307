-- Newest-first indexes in the order the lists read them: `ORDER BY x DESC` is NULLS FIRST, and
-- these were NULLS LAST, which PostgreSQL cannot use for that order, so every page scanned and
-- sorted all of a user's rows.
DROP INDEX "sessions_user_started_idx";--> statement-breakpoint
DROP INDEX "submissions_user_created_idx";--> statement-breakpoint
DROP INDEX "submissions_session_idx";--> statement-breakpoint
DROP INDEX "submissions_user_problem_idx";--> statement-breakpoint
DROP INDEX "study_paths_user_idx";--> statement-breakpoint
DROP INDEX "tutor_turns_user_idx";--> statement-breakpoint
CREATE INDEX "sessions_user_started_idx" ON "sessions" USING btree ("user_id","started_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "submissions_user_created_idx" ON "submissions" USING btree ("user_id","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "submissions_session_idx" ON "submissions" USING btree ("session_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "submissions_user_problem_idx" ON "submissions" USING btree ("user_id","problem_id","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "study_paths_user_idx" ON "study_paths" USING btree ("user_id","status","created_at" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tutor_turns_user_idx" ON "tutor_turns" USING btree ("user_id","created_at" DESC NULLS FIRST);