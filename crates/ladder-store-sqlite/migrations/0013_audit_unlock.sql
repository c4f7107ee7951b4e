-- The audit log is append-only, with two exceptions, each inside one
-- transaction that holds a row of this table while it runs: erasing a
-- person at their request rewrites the entries that name them, and the
-- retention sweep deletes entries older than the configured age. The
-- table is empty at every other moment.
CREATE TABLE audit_unlock (
    reason TEXT NOT NULL
);

DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_unlock)
BEGIN
    SELECT RAISE (ABORT, 'the audit log is append-only');
END;

DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM audit_unlock)
BEGIN
    SELECT RAISE (ABORT, 'the audit log is append-only');
END;
