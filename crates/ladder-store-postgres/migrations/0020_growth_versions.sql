-- A counter per person that moves with every write to what their
-- worksheet shows (ratings, their history, what they last saw), kept by
-- triggers so that no writer can forget it: a node keeps a person's
-- rendered worksheet and checks this one row instead of reading and
-- rendering their ratings again (`growth_version`). A missing row is
-- version 0.
CREATE TABLE growth_versions (
    person_id BIGINT PRIMARY KEY,
    version BIGINT NOT NULL
);
CREATE FUNCTION growth_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO growth_versions (person_id, version) VALUES (OLD.person_id, 1)
        ON CONFLICT (person_id) DO UPDATE SET version = growth_versions.version + 1;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.person_id IS DISTINCT FROM OLD.person_id) THEN
        INSERT INTO growth_versions (person_id, version) VALUES (NEW.person_id, 1)
        ON CONFLICT (person_id) DO UPDATE SET version = growth_versions.version + 1;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER ratings_version AFTER INSERT OR UPDATE OR DELETE ON ratings
    FOR EACH ROW EXECUTE FUNCTION growth_version_bump();
CREATE TRIGGER rating_history_version AFTER INSERT OR UPDATE OR DELETE ON rating_history
    FOR EACH ROW EXECUTE FUNCTION growth_version_bump();
CREATE TRIGGER worksheet_seen_version AFTER INSERT OR UPDATE OR DELETE ON worksheet_seen
    FOR EACH ROW EXECUTE FUNCTION growth_version_bump();
