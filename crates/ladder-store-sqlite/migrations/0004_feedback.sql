-- 360 feedback cycles, level-change proposals and calibration locks.

CREATE TABLE cycles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    nominations_open TEXT NOT NULL,
    nominations_close TEXT NOT NULL,
    feedback_open TEXT NOT NULL,
    feedback_close TEXT NOT NULL,
    -- Fixed at creation: a policy change cannot lower them mid-cycle.
    anonymity_threshold BIGINT NOT NULL,
    min_peers BIGINT NOT NULL,
    max_peers BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'nominations', 'feedback', 'closed')),
    created_by INTEGER REFERENCES accounts (id),
    created_at BIGINT NOT NULL
);

-- Every move of a cycle, in order.
CREATE TABLE cycle_steps (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    state TEXT NOT NULL,
    by_account INTEGER REFERENCES accounts (id),
    at BIGINT NOT NULL
);

CREATE TABLE nomination_lists (
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    saved_at BIGINT NOT NULL,
    approved_by INTEGER REFERENCES accounts (id),
    approved_at BIGINT,
    PRIMARY KEY (cycle_id, person_id)
);

-- Who is asked for feedback on whom. `answered_on` is a day, never a
-- time, and nothing here says what they answered.
CREATE TABLE nominations (
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    respondent_id INTEGER NOT NULL REFERENCES people (id),
    relation TEXT NOT NULL CHECK (relation IN ('self', 'manager', 'peer', 'report')),
    source TEXT NOT NULL,
    answered_on TEXT,
    PRIMARY KEY (cycle_id, person_id, respondent_id)
);

-- Answers carry the relation, never the respondent; the key is random so
-- that not even the order of rows follows the order of answering.
CREATE TABLE answers (
    id TEXT PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    relation TEXT NOT NULL,
    question TEXT NOT NULL,
    value BIGINT,
    comment TEXT NOT NULL
);
CREATE INDEX answers_person ON answers (cycle_id, person_id);

CREATE TABLE proposals (
    id INTEGER PRIMARY KEY,
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    department TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_family TEXT NOT NULL,
    from_level TEXT NOT NULL,
    from_specialty TEXT,
    from_grade TEXT NOT NULL,
    to_level TEXT NOT NULL,
    to_specialty TEXT,
    to_grade TEXT NOT NULL,
    case_text TEXT NOT NULL,
    evidence TEXT NOT NULL,
    override_reason TEXT,
    chain TEXT NOT NULL,
    next_step BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
    effective TEXT,
    proposed_by INTEGER NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);
-- One open proposal per person at a time.
CREATE UNIQUE INDEX proposals_one_pending ON proposals (person_id) WHERE state = 'pending';

CREATE TABLE proposal_steps (
    id INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id),
    step BIGINT NOT NULL,
    approver TEXT NOT NULL,
    approved BIGINT NOT NULL,
    comment TEXT NOT NULL,
    by_account INTEGER NOT NULL REFERENCES accounts (id),
    at BIGINT NOT NULL,
    UNIQUE (proposal_id, step)
);

CREATE TABLE calibration_locks (
    cycle_id INTEGER NOT NULL REFERENCES cycles (id),
    department TEXT NOT NULL,
    locked_by INTEGER NOT NULL REFERENCES accounts (id),
    locked_at BIGINT NOT NULL,
    PRIMARY KEY (cycle_id, department)
);
