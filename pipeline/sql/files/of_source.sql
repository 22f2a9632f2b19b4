-- The files of a source that are still current (not superseded by a replace), in load order.
-- Parameters: source.
SELECT file_id, path, sha256, settings FROM ingested_files
WHERE source = ? AND NOT coalesce(superseded, false)
ORDER BY file_id
