-- The modification time a file loaded before has now (a database from before
-- modified_ns, or the same bytes copied again), so that the next run need not read it.
-- Parameters: modified_ns, kind, sha256, path, bytes, modified_ns.
UPDATE ingested_files SET modified_ns = ?
WHERE kind = ? AND sha256 = ? AND path = ? AND bytes = ? AND modified_ns IS DISTINCT FROM ?
