-- How many files with these bytes were loaded as this kind.
-- Parameters: sha256, kind.
SELECT count(*) FROM ingested_files WHERE sha256 = ? AND kind = ?
