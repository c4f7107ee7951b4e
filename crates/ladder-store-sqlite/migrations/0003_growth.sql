-- The growth workflow: worksheet ratings with their history, quarterly
-- checkpoints with focus areas, and 1:1 documents (meetings, agenda,
-- standing items, action items, private notes).

-- The current rating per person, statement and side. Every change is also
-- written to rating_history in the same transaction.
CREATE TABLE ratings (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id),
    statement_id TEXT NOT NULL,
    rater TEXT NOT NULL CHECK (rater IN ('self', 'manager')),
    value BIGINT NOT NULL,
    evidence TEXT NOT NULL,
    -- The statement's text and the framework's content hash when rated:
    -- a later rewording is flagged against this.
    statement_text TEXT NOT NULL,
    framework_hash TEXT NOT NULL,
    rated_by INTEGER REFERENCES accounts (id),
    rated_at BIGINT NOT NULL,
    UNIQUE (person_id, statement_id, rater)
);

CREATE TABLE rating_history (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id),
    statement_id TEXT NOT NULL,
    rater TEXT NOT NULL,
    old_value BIGINT,
    new_value BIGINT NOT NULL,
    old_evidence TEXT,
    new_evidence TEXT NOT NULL,
    framework_hash TEXT NOT NULL,
    changed_by INTEGER REFERENCES accounts (id),
    changed_at BIGINT NOT NULL
);
CREATE INDEX rating_history_person ON rating_history (person_id, changed_at);

-- What a person last acknowledged of their expectations, to tell them
-- what changed when a new framework version loads.
CREATE TABLE worksheet_seen (
    person_id INTEGER PRIMARY KEY REFERENCES people (id),
    framework_hash TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    seen_at BIGINT NOT NULL
);

CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id),
    quarter TEXT NOT NULL,
    opened_at BIGINT NOT NULL,
    opened_by INTEGER REFERENCES accounts (id),
    closed_at BIGINT,
    closed_by INTEGER REFERENCES accounts (id),
    UNIQUE (person_id, quarter)
);

CREATE TABLE focus_areas (
    id INTEGER PRIMARY KEY,
    checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id),
    position BIGINT NOT NULL,
    ref_id TEXT NOT NULL,
    title TEXT NOT NULL,
    goals TEXT NOT NULL,
    targets TEXT NOT NULL,
    ideas TEXT NOT NULL,
    summary TEXT
);
CREATE INDEX focus_areas_checkpoint ON focus_areas (checkpoint_id);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    manager_id INTEGER NOT NULL REFERENCES people (id),
    report_id INTEGER NOT NULL REFERENCES people (id),
    date TEXT NOT NULL,
    shared_notes TEXT NOT NULL,
    -- Bumped by every write of the shared notes: a write that names an
    -- older version is refused, never applied over the other side's.
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (manager_id, report_id, date)
);

CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    author_id INTEGER NOT NULL REFERENCES people (id),
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id);

CREATE TABLE standing_items (
    id INTEGER PRIMARY KEY,
    manager_id INTEGER NOT NULL REFERENCES people (id),
    report_id INTEGER NOT NULL REFERENCES people (id),
    author_id INTEGER NOT NULL REFERENCES people (id),
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX standing_items_pair ON standing_items (manager_id, report_id);

CREATE TABLE action_items (
    id INTEGER PRIMARY KEY,
    manager_id INTEGER NOT NULL REFERENCES people (id),
    report_id INTEGER NOT NULL REFERENCES people (id),
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    owner_id INTEGER NOT NULL REFERENCES people (id),
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    done_meeting_id INTEGER REFERENCES meetings (id),
    done_at BIGINT
);
CREATE INDEX action_items_pair ON action_items (manager_id, report_id);

-- Read by their author only: the access layer asks for the viewer's own.
CREATE TABLE private_notes (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id),
    author_id INTEGER NOT NULL REFERENCES people (id),
    text TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, author_id)
);
