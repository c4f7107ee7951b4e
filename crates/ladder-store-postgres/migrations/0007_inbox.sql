-- The inbox asks, on every home page, what a person still owes as a
-- respondent: nominations are keyed by cycle and person reviewed, so this
-- finds them by respondent.
CREATE INDEX nominations_respondent ON nominations (respondent_id);
