-- The audit log is append-only, with two exceptions, each inside one
-- transaction that holds a row of this table while it runs: erasing a
-- person at their request rewrites the entries that name them, and the
-- retention sweep deletes entries older than the configured age. The
-- table is empty at every other moment, and a row written inside one
-- transaction is seen by no other.
CREATE TABLE audit_unlock (
    reason TEXT NOT NULL
);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_unlock) THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
