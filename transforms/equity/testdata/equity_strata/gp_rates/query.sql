-- The GP rates' counts by deprivation fifth and sex, S1 and ALL, every period.
SELECT scheme_id, period, dimension, stratum, measure, numerator, denominator, value, immature, window_days, polarity
FROM equity_strata
WHERE measure LIKE 'gp_%' AND (dimension = 'imd_quintile' AND stratum IN ('1', '5') OR dimension IN ('sex', 'age_band') AND period = 'all')
ORDER BY ALL
