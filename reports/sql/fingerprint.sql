-- The data a report rests on: every current (not superseded) ingested file's hash, in a
-- stable order. Shipped reference files count too, since a new IMD edition changes strata.
SELECT kind, source, sha256
FROM ingested_files
WHERE NOT coalesce(superseded, false)
ORDER BY kind, source, sha256
