-- The path recorded for a file (a shipped reference file is named, not located).
-- Parameters: path, file_id.
UPDATE ingested_files SET path = ? WHERE file_id = ?
