CREATE TABLE "tracks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"subject" text NOT NULL,
	"title" text NOT NULL,
	"labels" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"modules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" text DEFAULT 'v1' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tracks_slug_unique" UNIQUE("slug"),
	CONSTRAINT "tracks_subject_check" CHECK (subject IN ('coding', 'math', 'systems'))
);
--> statement-breakpoint
CREATE TABLE "problems" (
	"id" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"title" text NOT NULL,
	"statement" text NOT NULL,
	"difficulty" integer NOT NULL,
	"topics" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"outcomes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"track_id" uuid,
	"module" text,
	"position" integer DEFAULT 0 NOT NULL,
	"kind" text NOT NULL,
	"entrypoint" jsonb,
	"compare" text,
	"visible_tests" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"hidden_tests" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reference_solutions" jsonb,
	"expected_answer" text,
	"tolerance" double precision,
	"variables" jsonb,
	"hints" jsonb NOT NULL,
	"starter_code" jsonb,
	"content_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "problems_subject_check" CHECK (subject IN ('coding', 'math', 'systems')),
	CONSTRAINT "problems_kind_check" CHECK (kind IN ('coding', 'expression', 'equation', 'essay')),
	CONSTRAINT "problems_difficulty_check" CHECK ("problems"."difficulty" BETWEEN 1 AND 5),
	CONSTRAINT "problems_tolerance_check" CHECK ("problems"."tolerance" IS NULL OR "problems"."tolerance" > 0)
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"subject" text NOT NULL,
	"mode" text NOT NULL,
	"track_id" uuid,
	"problem_id" text,
	"status" text DEFAULT 'active' NOT NULL,
	"last_hint_level" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sessions_subject_check" CHECK (subject IN ('coding', 'math', 'systems')),
	CONSTRAINT "sessions_mode_check" CHECK (mode IN ('practice', 'mock', 'track')),
	CONSTRAINT "sessions_status_check" CHECK (status IN ('active', 'completed', 'abandoned')),
	CONSTRAINT "sessions_hint_level_check" CHECK ("sessions"."last_hint_level" BETWEEN 0 AND 3),
	CONSTRAINT "sessions_track_mode_check" CHECK ("sessions"."mode" <> 'track' OR "sessions"."track_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"session_id" uuid NOT NULL,
	"user_id" text NOT NULL,
	"problem_id" text NOT NULL,
	"subject" text NOT NULL,
	"language" text,
	"status" text NOT NULL,
	"visible_passed" integer DEFAULT 0 NOT NULL,
	"visible_total" integer DEFAULT 0 NOT NULL,
	"hidden_passed" integer DEFAULT 0 NOT NULL,
	"hidden_total" integer DEFAULT 0 NOT NULL,
	"categories" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"exec_ms" integer DEFAULT 0 NOT NULL,
	"details" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"pillar_scores" jsonb,
	"signal_metadata" jsonb,
	"feedback" jsonb,
	"payload_sha256" text NOT NULL,
	"idempotency_key" text,
	"task_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "submissions_subject_check" CHECK (subject IN ('coding', 'math', 'systems')),
	CONSTRAINT "submissions_status_check" CHECK (status IN ('passed', 'failed', 'timeout', 'error')),
	CONSTRAINT "submissions_counts_check" CHECK ("submissions"."visible_passed" BETWEEN 0 AND "submissions"."visible_total" AND "submissions"."hidden_passed" BETWEEN 0 AND "submissions"."hidden_total")
);
--> statement-breakpoint
CREATE TABLE "mastery" (
	"user_id" text NOT NULL,
	"key_type" text NOT NULL,
	"key_id" text NOT NULL,
	"score" integer NOT NULL,
	"ema" double precision NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mastery_user_id_key_type_key_id_pk" PRIMARY KEY("user_id","key_type","key_id"),
	CONSTRAINT "mastery_key_type_check" CHECK (key_type IN ('topic', 'outcome')),
	CONSTRAINT "mastery_score_check" CHECK ("mastery"."score" BETWEEN 0 AND 100),
	CONSTRAINT "mastery_ema_check" CHECK ("mastery"."ema" >= 0 AND "mastery"."ema" <= 1)
);
--> statement-breakpoint
CREATE TABLE "review_queue" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"problem_id" text NOT NULL,
	"subject" text NOT NULL,
	"track" text,
	"reason" text NOT NULL,
	"next_due_at" timestamp with time zone NOT NULL,
	"bucket" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "review_queue_user_problem_key" UNIQUE("user_id","problem_id"),
	CONSTRAINT "review_queue_subject_check" CHECK (subject IN ('coding', 'math', 'systems')),
	CONSTRAINT "review_queue_reason_check" CHECK (reason IN ('fail', 'slow', 'heavy-hint', 'mock-gap')),
	CONSTRAINT "review_queue_bucket_check" CHECK ("review_queue"."bucket" >= 0)
);
--> statement-breakpoint
CREATE TABLE "rubric_scores" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rubric_id" uuid NOT NULL,
	"submission_id" uuid NOT NULL,
	"scores" jsonb NOT NULL,
	"feedback" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rubrics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"domain" text NOT NULL,
	"title" text NOT NULL,
	"dimensions" jsonb NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "study_paths" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"track_id" uuid NOT NULL,
	"config" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "study_paths_status_check" CHECK (status IN ('active', 'completed', 'archived'))
);
--> statement-breakpoint
CREATE TABLE "study_tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"path_id" uuid NOT NULL,
	"problem_id" text NOT NULL,
	"module" text,
	"topic_tags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"difficulty" integer NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"score" double precision,
	"time_spent_seconds" integer,
	"hints_used" integer DEFAULT 0 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "study_tasks_status_check" CHECK (status IN ('scheduled', 'in_progress', 'completed', 'skipped', 'expired')),
	CONSTRAINT "study_tasks_difficulty_check" CHECK ("study_tasks"."difficulty" BETWEEN 1 AND 5),
	CONSTRAINT "study_tasks_score_check" CHECK ("study_tasks"."score" IS NULL OR ("study_tasks"."score" >= 0 AND "study_tasks"."score" <= 1)),
	CONSTRAINT "study_tasks_hints_check" CHECK ("study_tasks"."hints_used" >= 0)
);
--> statement-breakpoint
CREATE TABLE "task_evaluations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"submission_id" uuid NOT NULL,
	"language" text,
	"code" text,
	"test_cases_passed" integer NOT NULL,
	"test_cases_total" integer NOT NULL,
	"runtime_ms" integer,
	"memory_mb" double precision,
	"error_message" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_evaluations_counts_check" CHECK ("task_evaluations"."test_cases_passed" BETWEEN 0 AND "task_evaluations"."test_cases_total")
);
--> statement-breakpoint
CREATE TABLE "task_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"payload" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_events_type_check" CHECK (event_type IN ('created', 'started', 'submitted', 'evaluated', 'hint_requested', 'tutor_interaction', 'status_changed'))
);
--> statement-breakpoint
CREATE TABLE "tutor_turns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"session_id" uuid NOT NULL,
	"problem_id" text NOT NULL,
	"hint_level" integer NOT NULL,
	"provider" text NOT NULL,
	"status" text DEFAULT 'streaming' NOT NULL,
	"content" text DEFAULT '' NOT NULL,
	"tokens" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "tutor_turns_status_check" CHECK (status IN ('streaming', 'completed', 'failed', 'cancelled')),
	CONSTRAINT "tutor_turns_hint_level_check" CHECK ("tutor_turns"."hint_level" BETWEEN 1 AND 3)
);
--> statement-breakpoint
ALTER TABLE "problems" ADD CONSTRAINT "problems_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "public"."tracks"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "public"."tracks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_scores" ADD CONSTRAINT "rubric_scores_rubric_id_rubrics_id_fk" FOREIGN KEY ("rubric_id") REFERENCES "public"."rubrics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rubric_scores" ADD CONSTRAINT "rubric_scores_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_paths" ADD CONSTRAINT "study_paths_track_id_tracks_id_fk" FOREIGN KEY ("track_id") REFERENCES "public"."tracks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "study_tasks" ADD CONSTRAINT "study_tasks_path_id_study_paths_id_fk" FOREIGN KEY ("path_id") REFERENCES "public"."study_paths"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_evaluations" ADD CONSTRAINT "task_evaluations_task_id_study_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."study_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_evaluations" ADD CONSTRAINT "task_evaluations_submission_id_submissions_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submissions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_events" ADD CONSTRAINT "task_events_task_id_study_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."study_tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tutor_turns" ADD CONSTRAINT "tutor_turns_session_id_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "problems_subject_idx" ON "problems" USING btree ("subject","difficulty");--> statement-breakpoint
CREATE INDEX "problems_track_module_idx" ON "problems" USING btree ("track_id","module","position");--> statement-breakpoint
CREATE INDEX "sessions_user_started_idx" ON "sessions" USING btree ("user_id","started_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "submissions_user_created_idx" ON "submissions" USING btree ("user_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "submissions_session_idx" ON "submissions" USING btree ("session_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "submissions_user_problem_idx" ON "submissions" USING btree ("user_id","problem_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "submissions_idempotency_idx" ON "submissions" USING btree ("user_id","idempotency_key") WHERE "submissions"."idempotency_key" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "review_queue_user_due_idx" ON "review_queue" USING btree ("user_id","next_due_at");--> statement-breakpoint
CREATE INDEX "rubric_scores_submission_idx" ON "rubric_scores" USING btree ("submission_id");--> statement-breakpoint
CREATE INDEX "study_paths_user_idx" ON "study_paths" USING btree ("user_id","status","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "study_tasks_path_schedule_idx" ON "study_tasks" USING btree ("path_id","scheduled_at");--> statement-breakpoint
CREATE INDEX "study_tasks_path_status_idx" ON "study_tasks" USING btree ("path_id","status","scheduled_at");--> statement-breakpoint
CREATE INDEX "task_evaluations_task_idx" ON "task_evaluations" USING btree ("task_id");--> statement-breakpoint
CREATE INDEX "task_events_task_idx" ON "task_events" USING btree ("task_id","created_at");--> statement-breakpoint
CREATE INDEX "tutor_turns_user_idx" ON "tutor_turns" USING btree ("user_id","created_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "tutor_turns_session_idx" ON "tutor_turns" USING btree ("session_id");