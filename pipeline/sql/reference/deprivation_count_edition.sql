-- How many rows an IoD edition has.
-- Parameters: edition.
SELECT count(*) FROM deprivation WHERE edition = ?
