-- The rows of outcome_change that outcome_summary reads: every pair, the quintiles, and
-- the continuity contrast.
SELECT scheme_id, period, measure, polarity, dimension, stratum, pairs, mean_change, mean_change_lower, mean_change_upper, sd_change
FROM outcome_change
WHERE dimension = 'all' OR dimension = 'imd_quintile'
    OR dimension = 'continuity' AND stratum IN ('single_worker', 'dispersed')
ORDER BY scheme_id, period, measure, dimension, stratum
