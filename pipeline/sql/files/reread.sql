-- A file read again: its record brought up to date, its counts back to nought (it keeps
-- its file_id, so nothing that names it breaks).
-- Parameters: settings, run_id, modified_ns, bytes, file_id.
UPDATE ingested_files SET settings = ?, run_id = ?, modified_ns = ?, bytes = ?,
    rows_loaded = 0, rows_rejected = 0, rows_replaced = 0, rows_deleted = 0, values_masked = 0
WHERE file_id = ?
