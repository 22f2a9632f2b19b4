-- How outcome_pairs was last built ($1: its model name in transform_state).
SELECT fingerprint, max_file_id, outcomes_n, outcomes_sum, data_end
FROM transform_state
WHERE model = $1
