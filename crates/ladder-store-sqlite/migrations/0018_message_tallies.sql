-- How many messages are in each state, for the delivery log's counts
-- without counting the whole outbox on each view: triggers add a row of
-- +1 or -1 for each message written, its state changed or deleted, and
-- the routine folds the rows into one per state (`fold_message_tallies`).
-- A state's count is the sum of its rows.
CREATE TABLE message_tallies (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL,
    n INTEGER NOT NULL
);
INSERT INTO message_tallies (state, n) SELECT state, COUNT(*) FROM messages GROUP BY state;
CREATE TRIGGER messages_tally_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_tallies (state, n) VALUES (NEW.state, 1);
END;
CREATE TRIGGER messages_tally_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_tallies (state, n) VALUES (OLD.state, -1);
END;
CREATE TRIGGER messages_tally_update AFTER UPDATE OF state ON messages
WHEN OLD.state <> NEW.state BEGIN
    INSERT INTO message_tallies (state, n) VALUES (OLD.state, -1), (NEW.state, 1);
END;
