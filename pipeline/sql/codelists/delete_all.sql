-- Every ingest loads the codelists whole: the codes of the last run's codelists are
-- dropped first.
DELETE FROM codelist_codes
