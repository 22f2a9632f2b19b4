-- How episode_metrics was last built ($1: its model name in transform_state).
SELECT fingerprint, max_file_id, referrals_n, referrals_sum, data_end
FROM transform_state
WHERE model = $1
