-- Runs left running by a process that died: run only under the lock, when no live run
-- can be among them.
-- Parameters: status (abandoned), status (running).
UPDATE runs SET status = ?,
    error = coalesce(error, 'process ended during the run (killed or crashed)')
WHERE status = ?
