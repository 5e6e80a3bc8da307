DROP INDEX "task_events_task_idx";--> statement-breakpoint
ALTER TABLE "task_events" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "task_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
CREATE INDEX "task_events_task_seq_idx" ON "task_events" USING btree ("task_id","seq");