-- Pay bands may name a job family and one of its levels (a role band,
-- which pays that role and wins over its grade's band); empty for a grade
-- band. The key grows to hold them.
ALTER TABLE pay_bands ADD COLUMN family TEXT NOT NULL DEFAULT '';
ALTER TABLE pay_bands ADD COLUMN level TEXT NOT NULL DEFAULT '';
ALTER TABLE pay_bands DROP CONSTRAINT pay_bands_pkey;
ALTER TABLE pay_bands ADD PRIMARY KEY (family, level, grade, zone, effective_from);
