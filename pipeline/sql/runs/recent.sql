-- The latest runs, newest first.
-- Parameters: how many.
SELECT run_id, job, trigger, logical_date, started_at, coalesce(finished_at, started_at), status,
    coalesce(error, ''), coalesce(code_version, '')
FROM runs
ORDER BY run_id DESC
LIMIT ?
