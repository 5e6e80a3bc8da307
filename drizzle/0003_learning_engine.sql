CREATE TABLE "problem_difficulty" (
	"problem_id" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"track" text,
	"beta" double precision NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "problem_difficulty_subject_check" CHECK (subject IN ('coding', 'math', 'systems')),
	CONSTRAINT "problem_difficulty_attempts_check" CHECK ("problem_difficulty"."attempts" >= 0)
);
--> statement-breakpoint
ALTER TABLE "review_queue" DROP CONSTRAINT "review_queue_reason_check";--> statement-breakpoint
ALTER TABLE "review_queue" ALTER COLUMN "reason" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "mastery" ADD COLUMN "skill" double precision DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "mastery" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "review_queue" ADD COLUMN "stability" double precision;--> statement-breakpoint
ALTER TABLE "review_queue" ADD COLUMN "difficulty" double precision;--> statement-breakpoint
ALTER TABLE "review_queue" ADD COLUMN "state" text;--> statement-breakpoint
ALTER TABLE "review_queue" ADD COLUMN "reps" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "review_queue" ADD COLUMN "lapses" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "review_queue" ADD COLUMN "last_review" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "review_queue" ADD COLUMN "scheduled_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "review_queue" ADD COLUMN "learning_steps" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "problem_difficulty_subject_idx" ON "problem_difficulty" USING btree ("subject","track");--> statement-breakpoint
ALTER TABLE "mastery" ADD CONSTRAINT "mastery_attempts_check" CHECK ("mastery"."attempts" >= 0);--> statement-breakpoint
ALTER TABLE "review_queue" ADD CONSTRAINT "review_queue_state_check" CHECK (state IN ('new', 'learning', 'review', 'relearning'));--> statement-breakpoint
ALTER TABLE "review_queue" ADD CONSTRAINT "review_queue_card_check" CHECK ("review_queue"."reps" >= 0 AND "review_queue"."lapses" >= 0 AND ("review_queue"."stability" IS NULL OR "review_queue"."stability" > 0));--> statement-breakpoint
ALTER TABLE "review_queue" ADD CONSTRAINT "review_queue_reason_check" CHECK (reason IN ('fail', 'slow', 'heavy-hint', 'mock-gap', 'retention'));