-- Whether a session already failed a problem, in one probe: the review rating asks it on every
-- submission, and the session index walked every earlier attempt of a session that never failed.
CREATE INDEX "submissions_session_failures_idx" ON "submissions" USING btree ("session_id","problem_id") WHERE "submissions"."status" <> 'passed';
