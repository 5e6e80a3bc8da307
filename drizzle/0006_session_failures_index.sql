-- Whether a session already failed a problem, in one probe: the review rating asks it on every
-- submission, and the session index walked every earlier attempt of a session that never failed.
-- Building it reads the whole table under a write lock; on a large one, run this statement with
-- CONCURRENTLY by hand before deploying, and the migration then finds it in place.
CREATE INDEX IF NOT EXISTS "submissions_session_failures_idx" ON "submissions" USING btree ("session_id","problem_id") WHERE "submissions"."status" <> 'passed';
