-- A counter per person that moves with every write to what their
-- worksheet shows (ratings, their history, what they last saw), kept by
-- triggers so that no writer can forget it: a node keeps a person's
-- rendered worksheet and checks this one row instead of reading and
-- rendering their ratings again (`growth_version`). A missing row is
-- version 0.
CREATE TABLE growth_versions (
    person_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE TRIGGER ratings_version_insert AFTER INSERT ON ratings BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (NEW.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER ratings_version_update AFTER UPDATE ON ratings BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (NEW.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER ratings_version_update_from AFTER UPDATE OF person_id ON ratings
WHEN OLD.person_id <> NEW.person_id BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (OLD.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER ratings_version_delete AFTER DELETE ON ratings BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (OLD.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER rating_history_version_insert AFTER INSERT ON rating_history BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (NEW.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER rating_history_version_update AFTER UPDATE ON rating_history BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (NEW.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER rating_history_version_update_from AFTER UPDATE OF person_id ON rating_history
WHEN OLD.person_id <> NEW.person_id BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (OLD.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER rating_history_version_delete AFTER DELETE ON rating_history BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (OLD.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER worksheet_seen_version_insert AFTER INSERT ON worksheet_seen BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (NEW.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER worksheet_seen_version_update AFTER UPDATE ON worksheet_seen BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (NEW.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER worksheet_seen_version_update_from AFTER UPDATE OF person_id ON worksheet_seen
WHEN OLD.person_id <> NEW.person_id BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (OLD.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER worksheet_seen_version_delete AFTER DELETE ON worksheet_seen BEGIN
    INSERT INTO growth_versions (person_id, version) VALUES (OLD.person_id, 1)
    ON CONFLICT (person_id) DO UPDATE SET version = version + 1;
END;
