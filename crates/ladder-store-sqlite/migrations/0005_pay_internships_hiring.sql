-- Pay bands and salaries, internships for learning, and hiring.

-- Amounts are in hundredths of the currency unit.
CREATE TABLE pay_bands (
    grade TEXT NOT NULL,
    zone TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    currency TEXT NOT NULL,
    min_amount BIGINT NOT NULL,
    mid_amount BIGINT NOT NULL,
    max_amount BIGINT NOT NULL,
    CHECK (min_amount <= mid_amount AND mid_amount <= max_amount),
    PRIMARY KEY (grade, zone, effective_from)
);

CREATE TABLE salaries (
    person_id INTEGER NOT NULL REFERENCES people (id),
    effective_from TEXT NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    PRIMARY KEY (person_id, effective_from)
);

CREATE TABLE internships (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id),
    host_department TEXT NOT NULL,
    mentor_id INTEGER NOT NULL REFERENCES people (id),
    goals TEXT NOT NULL,
    -- Competency statement ids, comma-separated.
    competencies TEXT NOT NULL,
    share BIGINT NOT NULL CHECK (share BETWEEN 1 AND 100),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    -- JSON: [{"kind": ..., "detail": ...}].
    activities TEXT NOT NULL,
    access TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('requested', 'approved', 'declined', 'completed')),
    manager_decision BIGINT,
    manager_by INTEGER REFERENCES people (id),
    manager_comment TEXT NOT NULL DEFAULT '',
    manager_at BIGINT,
    host_decision BIGINT,
    host_by INTEGER REFERENCES people (id),
    host_comment TEXT NOT NULL DEFAULT '',
    host_at BIGINT,
    outcome TEXT NOT NULL DEFAULT '',
    -- JSON: the worksheet ratings the internship moved, as they stood.
    moved TEXT NOT NULL DEFAULT '[]',
    completed_at BIGINT,
    created_at BIGINT NOT NULL
);

CREATE TABLE internship_log (
    id INTEGER PRIMARY KEY,
    internship_id INTEGER NOT NULL REFERENCES internships (id),
    author_id INTEGER NOT NULL REFERENCES people (id),
    date TEXT NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE openings (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    family TEXT NOT NULL,
    level TEXT NOT NULL,
    specialty TEXT,
    state TEXT NOT NULL CHECK (state IN ('open', 'closed')),
    created_by INTEGER REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE hiring_team (
    opening_id INTEGER NOT NULL REFERENCES openings (id),
    account_id INTEGER NOT NULL REFERENCES accounts (id),
    role TEXT NOT NULL CHECK (role IN ('lead', 'interviewer')),
    PRIMARY KEY (opening_id, account_id)
);

-- The only personal data of a candidate is here; deleting the row (and
-- its scorecards) removes it.
CREATE TABLE candidates (
    id INTEGER PRIMARY KEY,
    opening_id INTEGER NOT NULL REFERENCES openings (id),
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    stage TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'hired', 'rejected')),
    created_at BIGINT NOT NULL
);

CREATE TABLE scorecards (
    candidate_id INTEGER NOT NULL REFERENCES candidates (id),
    stage TEXT NOT NULL,
    interviewer_id INTEGER NOT NULL REFERENCES accounts (id),
    -- JSON: [{"requirement": id, "score": 1-4 or null, "notes": ...}].
    scores TEXT NOT NULL,
    notes TEXT NOT NULL,
    submitted_at BIGINT NOT NULL,
    PRIMARY KEY (candidate_id, stage, interviewer_id)
);
