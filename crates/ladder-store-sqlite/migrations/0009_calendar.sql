-- Recurring 1:1s and private calendar feeds.

-- A pair's series: meetings are made ahead from it. One series per pair
-- is active or paused at a time; ended ones stay as history.
CREATE TABLE meeting_series (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    manager_id INTEGER NOT NULL REFERENCES people (id),
    report_id INTEGER NOT NULL REFERENCES people (id),
    cadence TEXT NOT NULL CHECK (cadence IN ('weekly', 'biweekly', 'monthly')),
    -- YYYY-MM-DD: the first meeting, and the last day one may fall on.
    first_date TEXT NOT NULL,
    until_date TEXT NOT NULL,
    -- HH:MM in the series' time zone (an IANA name).
    start_time TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
    state TEXT NOT NULL CHECK (state IN ('active', 'paused', 'ended')),
    created_by INTEGER REFERENCES accounts (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX meeting_series_pair ON meeting_series (manager_id, report_id);

-- Each person's private feed URL: the token's SHA-256, rotated by them.
CREATE TABLE calendar_tokens (
    person_id INTEGER PRIMARY KEY REFERENCES people (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
