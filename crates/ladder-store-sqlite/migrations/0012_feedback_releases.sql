-- 360 results are released, never computed live: each release freezes
-- what each person reviewed may see, and a release never changes.

-- One release of a cycle's results: by the people team during the
-- feedback phase, or when the cycle closes (by hand or on its date).
CREATE TABLE feedback_releases (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    released_by INTEGER REFERENCES accounts (id),
    released_at BIGINT NOT NULL,
    -- 1 when the cycle closed with this release.
    closing BIGINT NOT NULL,
    -- How many people moved on to this release, and how many kept an
    -- earlier one because too few answers arrived since.
    people BIGINT NOT NULL,
    held_back BIGINT NOT NULL
);

-- A person's results as one release froze them (JSON, exactly what they
-- and their managers see), and the counts they were built from, to
-- compare the next release with. No answer and no respondent.
CREATE TABLE feedback_snapshots (
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    release_id INTEGER NOT NULL REFERENCES feedback_releases (id),
    results TEXT NOT NULL,
    tally TEXT NOT NULL,
    PRIMARY KEY (cycle_id, person_id, release_id)
);

-- Answers are kept in the order of their random ids, never in the order
-- they were given: the table is rebuilt in that order (and on SQLite
-- stored by its key, with no row number), and each new answer rewrites
-- the answers about that person in the same order.
CREATE TABLE answers_by_id (
    id TEXT PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    relation TEXT NOT NULL,
    question TEXT NOT NULL,
    value BIGINT,
    comment TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO answers_by_id (id, cycle_id, person_id, relation, question, value, comment)
    SELECT id, cycle_id, person_id, relation, question, value, comment FROM answers ORDER BY id;
DROP TABLE answers;
ALTER TABLE answers_by_id RENAME TO answers;
CREATE INDEX answers_person ON answers (cycle_id, person_id);
