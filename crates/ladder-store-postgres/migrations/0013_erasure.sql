-- Erasure on request: while a person's identity is being removed (one
-- transaction), this table holds their id, and only then may audit
-- entries be rewritten (their email as the actor, their name and
-- identifiers in the detail). It is empty at every other moment, and a
-- row written inside the erasing transaction is seen by no other.
CREATE TABLE erasing (
    person_id BIGINT NOT NULL
);

CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM erasing) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
