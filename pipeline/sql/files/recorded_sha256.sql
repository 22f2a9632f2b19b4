-- The sha256 recorded for a file loaded before from this path with this size and
-- modification time: taken as unchanged, it need not be read again.
-- Parameters: kind, path, bytes, modified_ns.
SELECT sha256 FROM ingested_files
WHERE kind = ? AND path = ? AND bytes = ? AND modified_ns = ?
LIMIT 1
