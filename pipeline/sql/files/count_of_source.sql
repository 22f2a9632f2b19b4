-- How many files of a source were ever loaded.
-- Parameters: source.
SELECT count(*) FROM ingested_files WHERE source = ?
