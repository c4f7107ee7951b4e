-- Finding the recent entries of an actor's reads of a few subjects (a
-- page of pay, after an export recorded a read of everyone): a seek per
-- subject, not a scan of every recent read.
CREATE INDEX audit_log_reads ON audit_log (actor_id, action, subject_id, at);
