-- A read repeated by the same actor, of the same subject, with the same
-- detail, within five minutes of the entry that recorded it, adds no
-- entry: it counts here instead (the audit log itself never changes).
CREATE TABLE audit_repeats (
    entry_id INTEGER PRIMARY KEY REFERENCES audit_log (id),
    count BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);

-- Finding that entry: the latest of an actor's reads of one action.
CREATE INDEX audit_log_recent ON audit_log (actor_id, action, at);
