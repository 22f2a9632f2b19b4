-- Current extract files with their row counts and hashes (data quality, provenance).
SELECT coalesce(kind, '') AS kind, coalesce(source, '') AS source, coalesce(path, '') AS path,
       coalesce(sha256, '') AS sha256, coalesce(rows_loaded, 0) AS rows_loaded,
       coalesce(rows_rejected, 0) AS rows_rejected
FROM ingested_files
WHERE NOT coalesce(superseded, false)
ORDER BY kind, source, path
