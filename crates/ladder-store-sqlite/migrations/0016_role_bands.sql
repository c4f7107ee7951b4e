-- Pay bands may name a job family and one of its levels (a role band,
-- which pays that role and wins over its grade's band); empty for a grade
-- band. The key grows to hold them, so the table is rebuilt.
CREATE TABLE pay_bands_by_role (
    family TEXT NOT NULL DEFAULT '',
    level TEXT NOT NULL DEFAULT '',
    grade TEXT NOT NULL,
    zone TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    currency TEXT NOT NULL,
    min_amount BIGINT NOT NULL,
    mid_amount BIGINT NOT NULL,
    max_amount BIGINT NOT NULL,
    CHECK (min_amount <= mid_amount AND mid_amount <= max_amount),
    PRIMARY KEY (family, level, grade, zone, effective_from)
);
INSERT INTO pay_bands_by_role (grade, zone, effective_from, currency, min_amount, mid_amount, max_amount)
    SELECT grade, zone, effective_from, currency, min_amount, mid_amount, max_amount FROM pay_bands;
DROP TABLE pay_bands;
ALTER TABLE pay_bands_by_role RENAME TO pay_bands;
