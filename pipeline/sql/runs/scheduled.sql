-- The runs the scheduler made, for catch-up to find each job's last done firing.
-- Parameters: the scheduler's two triggers.
SELECT job, logical_date, status, coalesce(error, '') FROM runs WHERE trigger IN (?, ?)
