-- The outbox. Every write the services make inserts its domain event here,
-- in the transaction of the write and its audit entry: nothing is announced
-- that did not happen, and nothing that happened goes unannounced.
-- Notifications, reminders and caches read it in id order, each consumer
-- from its own cursor. An event names who, what, whom and which object,
-- never private text.

CREATE TABLE events (
    -- AUTOINCREMENT: an id is never given out twice, even after old
    -- events are deleted, so a cursor never skips a new event.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind <> ''),
    actor_id INTEGER,
    person_id INTEGER,
    object_id INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX events_person ON events (person_id);

-- Events are facts: they are appended, never changed.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- How far each consumer (notifications, reminders, …) has read.
CREATE TABLE event_cursors (
    consumer TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
