-- A respondent's requests in a cycle (`nominations_by`, on every cycle
-- page): a seek on both, not a scan of the cycle's nominations through
-- its primary key, which SQLite chose over the respondent's index alone
-- (300,000 rows read per page at 100,000 people).
CREATE INDEX nominations_respondent_cycle ON nominations (respondent_id, cycle_id);
DROP INDEX nominations_respondent;
