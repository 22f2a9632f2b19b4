-- The snapshot's row for the run publishing it, sealed as the run's outcome.
-- Parameters: status (succeeded), finished_at, steps (JSON), input_hashes (JSON), data_end, run_id.
UPDATE socrx_snapshot.runs SET status = ?, finished_at = ?, error = NULL, steps = ?, input_hashes = ?, data_end = ?
WHERE run_id = ?
