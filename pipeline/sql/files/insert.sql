-- A file about to be loaded, numbered one above the highest file so far.
-- Parameters: source, kind, path, sha256, bytes, run_id, modified_ns, settings.
INSERT INTO ingested_files (file_id, source, kind, path, sha256, bytes, rows_loaded, rows_rejected,
    rows_replaced, rows_deleted, run_id, superseded, modified_ns, settings)
SELECT coalesce(max(file_id), 0) + 1, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, false, ?, ? FROM ingested_files
RETURNING file_id
