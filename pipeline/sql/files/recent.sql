-- The latest files loaded, newest first.
-- Parameters: how many.
SELECT file_id, source, path, rows_loaded, rows_rejected, rows_replaced, rows_deleted
FROM ingested_files
ORDER BY file_id DESC
LIMIT ?
