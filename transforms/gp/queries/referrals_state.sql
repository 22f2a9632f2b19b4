-- How gp_referrals was last built ($1: its model name in transform_state).
SELECT fingerprint, max_file_id, gp_events_n, gp_events_sum
FROM transform_state
WHERE model = $1
