-- The strata of the non-ordered dimensions, one run of rows per scheme × period ×
-- dimension × measure, groups in their canonical order (ties for best go to the first).
SELECT scheme_id, period, dimension, stratum, measure, denominator, value, lower, upper, unit, polarity
FROM equity_strata
WHERE dimension IN ('age_band', 'sex', 'ethnic_group')
ORDER BY scheme_id, period, dimension, measure, stratum_order, stratum
