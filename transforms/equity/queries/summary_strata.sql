-- equity_strata in the order the summaries group it: one run of rows per scheme ×
-- period × dimension × measure, strata in their order.
SELECT scheme_id, period, dimension, stratum, measure, numerator, denominator, immature, window_days, quantile_basis,
    lower, upper
FROM equity_strata
ORDER BY scheme_id, period, dimension, measure, stratum_order, stratum
