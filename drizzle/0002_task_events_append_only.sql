-- task_events is an audit log: rows are only ever inserted. A direct UPDATE or DELETE is
-- refused; a delete cascading from study_tasks (run by the foreign key's own trigger, so at
-- trigger depth 2) still goes through, so removing a path or task stays possible.
CREATE FUNCTION "task_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'task_events is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;--> statement-breakpoint
CREATE TRIGGER "task_events_append_only" BEFORE UPDATE OR DELETE ON "task_events"
  FOR EACH ROW EXECUTE FUNCTION "task_events_append_only"();
