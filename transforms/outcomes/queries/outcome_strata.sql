-- The pairs of int_outcome_strata, grouped for outcome_change.
SELECT scheme_id, period, dimension, stratum, measure, baseline_score, followup_score, change
FROM int_outcome_strata
ORDER BY scheme_id, period, dimension, stratum, measure
