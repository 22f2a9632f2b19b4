-- Per job, the logical date from which its schedule counts as handled (catch-up): the
-- latest firing whose run succeeded or failed for a reason of its own. A stopped run does
-- not count (its state is stopped; an older socrx recorded it as failed with an error
-- starting 'stopped before completion'), nor does an abandoned one. A job that has runs but
-- none done counts from just before its first run.
-- Parameters: status (succeeded), status (failed), the stopped runs' error prefix, the
-- scheduler's two triggers.
SELECT job,
    coalesce(
        max(logical_date) FILTER (WHERE status = ?
            OR (status = ? AND NOT starts_with(coalesce(error, ''), ?))),
        min(logical_date) - INTERVAL 1 SECOND)
FROM runs
WHERE trigger IN (?, ?)
GROUP BY job
