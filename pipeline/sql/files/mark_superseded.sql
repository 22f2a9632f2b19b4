-- A replace source's newest file supersedes every earlier one.
-- Parameters: source, the newest file's file_id.
UPDATE ingested_files SET superseded = true WHERE source = ? AND file_id <> ?
