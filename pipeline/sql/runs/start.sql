-- A run's row as it starts, numbered one above the highest run so far.
-- Parameters: job, trigger, logical_date, started_at, status (running), code_version, pid.
INSERT INTO runs (run_id, job, trigger, logical_date, started_at, status, code_version, pid)
SELECT coalesce(max(run_id), 0) + 1, ?, ?, ?, ?, ?, ?, ? FROM runs
RETURNING run_id
