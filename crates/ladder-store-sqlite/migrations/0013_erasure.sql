-- Erasure on request: while a person's identity is being removed (one
-- transaction), this table holds their id, and only then may audit
-- entries be rewritten (their email as the actor, their name and
-- identifiers in the detail). It is empty at every other moment.
CREATE TABLE erasing (
    person_id INTEGER NOT NULL
);

DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM erasing)
BEGIN
    SELECT RAISE (ABORT, 'the audit log is append-only');
END;
