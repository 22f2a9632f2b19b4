-- What loading a file did.
-- Parameters: rows_loaded, rows_rejected, rows_replaced, rows_deleted, values_masked, file_id.
UPDATE ingested_files SET rows_loaded = ?, rows_rejected = ?, rows_replaced = ?, rows_deleted = ?, values_masked = ?
WHERE file_id = ?
