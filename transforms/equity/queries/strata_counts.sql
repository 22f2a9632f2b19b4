-- What int_equity_strata_limits needs of the strata with a positive denominator.
SELECT scheme_id, period, dimension, stratum, measure, numerator, denominator
FROM int_equity_strata
WHERE denominator > 0
