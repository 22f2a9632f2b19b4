-- What int_equity_strata_limits needs of the strata with a positive denominator.
SELECT scheme_id, period, dimension, stratum, measure, numerator, denominator
FROM (SELECT * FROM int_equity_strata UNION ALL BY NAME SELECT * FROM int_equity_measured_strata
    UNION ALL BY NAME SELECT * FROM int_gp_strata)
WHERE denominator > 0
