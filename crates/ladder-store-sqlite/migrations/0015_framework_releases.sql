-- Framework versions staged and published through the store. The live
-- release is what every node serves: each node reads which one is live on
-- every request and loads it from here when it changed, so a publish (or a
-- rollback) on one node is live on all of them on their next request.
CREATE TABLE framework_releases (
    id INTEGER PRIMARY KEY,
    -- SHA-256 over the files, as framework_versions.hash.
    hash TEXT NOT NULL,
    -- Where it came from: a folder, or a git revision.
    source TEXT NOT NULL,
    summary TEXT NOT NULL,
    -- The framework's files as JSON: {"path": "text", ...}.
    files TEXT NOT NULL,
    -- staged (at most one), live (at most one), retired (was live), or
    -- discarded (replaced while staged).
    state TEXT NOT NULL,
    staged_by INTEGER REFERENCES accounts (id),
    staged_at BIGINT NOT NULL,
    published_by INTEGER REFERENCES accounts (id),
    published_at BIGINT
);
CREATE INDEX framework_releases_state ON framework_releases (state);
