-- A counter bumped by every write to people or role history, in the same
-- transaction. Servers keep the directory in memory and reload it when the
-- counter they read with the session differs from the one they hold, so
-- several nodes never serve a stale organisation.
CREATE TABLE org_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO org_version (id, version) VALUES (1, 1);
