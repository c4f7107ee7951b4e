-- SCIM 2.0 provisioning: the identity providers' clients and what they
-- say of each person beyond the directory.

-- One bearer token per provisioning client (an Okta app, an Entra ID
-- enterprise app), made and revoked by admins; only its SHA-256 is kept.
CREATE TABLE scim_clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    created_by INTEGER REFERENCES accounts (id),
    revoked_at INTEGER,
    last_used_at INTEGER
);

-- A person as provisioning knows them: the provider's own id for them
-- (externalId), the userName it uses, the employee number, a manager it
-- named before that manager existed (resolved when they arrive), whether
-- it deleted them (they stay in Ladder, inactive, and SCIM no longer
-- shows them), and a level it sent that differs from Ladder's (levels
-- change only through proposals; the people team is told).
CREATE TABLE scim_users (
    person_id INTEGER PRIMARY KEY REFERENCES people (id),
    external_id TEXT UNIQUE,
    user_name TEXT NOT NULL UNIQUE,
    employee_number TEXT,
    pending_manager TEXT,
    deleted INTEGER NOT NULL,
    refused_level TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX scim_users_pending ON scim_users (pending_manager);
