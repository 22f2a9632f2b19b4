-- How gp_registered was last built ($1: its model name in transform_state).
SELECT fingerprint FROM transform_state WHERE model = $1
