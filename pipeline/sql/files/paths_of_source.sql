-- The paths of a source's current files.
-- Parameters: source.
SELECT DISTINCT path FROM ingested_files WHERE source = ? AND NOT coalesce(superseded, false) ORDER BY 1
