-- The quarantine of a file's earlier load, before it is read again.
-- Parameters: file_id.
DELETE FROM quarantine WHERE file_id = ?
