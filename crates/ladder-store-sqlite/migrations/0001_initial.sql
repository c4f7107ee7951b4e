-- Ladder's first schema (SQLite). Times are Unix seconds; dates are
-- YYYY-MM-DD text.

CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    roles TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    manager_id INTEGER REFERENCES people (id),
    department TEXT NOT NULL,
    family TEXT NOT NULL,
    level TEXT NOT NULL,
    specialty TEXT,
    grade TEXT NOT NULL,
    location TEXT NOT NULL,
    start_date TEXT,
    active BOOLEAN NOT NULL
);
CREATE INDEX people_manager ON people (manager_id);

CREATE TABLE role_changes (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id),
    effective TEXT NOT NULL,
    family TEXT NOT NULL,
    level TEXT NOT NULL,
    specialty TEXT,
    grade TEXT NOT NULL,
    reason TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    recorded_by INTEGER REFERENCES accounts (id)
);
CREATE INDEX role_changes_person ON role_changes (person_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE bootstrap_tokens (
    token_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE TABLE oidc_flows (
    state TEXT PRIMARY KEY,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_id INTEGER,
    detail TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_id);

-- The audit log is append-only.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE (ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE (ABORT, 'the audit log is append-only');
END;

CREATE TABLE framework_versions (
    hash TEXT PRIMARY KEY,
    first_loaded_at INTEGER NOT NULL,
    last_loaded_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    summary TEXT NOT NULL
);
