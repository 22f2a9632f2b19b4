-- Documentation of int_outcome_strata.
COMMENT ON TABLE int_outcome_strata IS 'Temporary: each paired referral × measure once per scheme (and ALL) × period (and all) × dimension × stratum, for outcome_change.';
