-- Claiming what can go out when email is off (no SMTP server set) names
-- the other channels, and this index seeks them: before it, each tick
-- walked every pending email in the outbox (300,000 of them in a
-- 100,000-person demo) to find none it could send.
CREATE INDEX messages_channel_due ON messages (state, channel, due_at);
