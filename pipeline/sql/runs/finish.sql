-- A run's outcome.
-- Parameters: finished_at, status, error, steps (JSON), input_hashes (JSON), data_end, run_id.
UPDATE runs SET finished_at = ?, status = ?, error = ?, steps = ?, input_hashes = ?, data_end = ?
WHERE run_id = ?
