-- A file's quarantined rows by reason.
-- Parameters: file_id.
SELECT reason, count(*) FROM quarantine WHERE file_id = ? GROUP BY 1
