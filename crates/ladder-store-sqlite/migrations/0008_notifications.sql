-- Notifications: what each person wants, where chat messages go, and every
-- message to deliver (the delivery log).

-- A person's choice per notification kind; a kind without a row is sent
-- at once.
CREATE TABLE notification_prefs (
    person_id INTEGER NOT NULL REFERENCES people (id),
    kind TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('now', 'digest', 'off')),
    PRIMARY KEY (person_id, kind)
);

-- Chat through incoming webhooks (Slack, Teams, anything that takes JSON),
-- registered by admins.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    -- Comma-separated notification kinds, or `*` for all.
    kinds TEXT NOT NULL,
    -- The HMAC-SHA256 key the receiver checks signatures with.
    secret TEXT NOT NULL,
    created_by INTEGER REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    -- Deliveries that failed in a row; at the limit the hook is failing.
    failures INTEGER NOT NULL DEFAULT 0,
    failing INTEGER NOT NULL DEFAULT 0 CHECK (failing IN (0, 1))
);

-- Every message, from being made to being sent (or given up on). The body
-- is never stored: it is rendered from `data` (names, dates, a link) when
-- sent. `key` makes each message once, however many nodes make it.
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    person_id INTEGER REFERENCES people (id),
    webhook_id INTEGER REFERENCES webhooks (id),
    -- An email address, or the webhook's URL.
    address TEXT NOT NULL,
    data TEXT NOT NULL,
    -- held: waiting for the person's daily digest; digested: sent in one.
    state TEXT NOT NULL CHECK (state IN ('held', 'pending', 'sent', 'failed', 'digested')),
    created_at INTEGER NOT NULL,
    -- When the next attempt may start.
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    -- A node's claim: no other node sends it before the lease ends.
    lease_until INTEGER,
    leased_by TEXT,
    last_error TEXT,
    sent_at INTEGER
);
CREATE INDEX messages_due ON messages (state, due_at);
CREATE INDEX messages_person ON messages (person_id, state);
