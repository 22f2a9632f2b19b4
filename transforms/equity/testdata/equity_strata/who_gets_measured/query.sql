-- Who gets measured in S1's most deprived quintile over the whole span.
SELECT measure, numerator, denominator, value, lower, upper, immature, window_days, polarity
FROM equity_strata
WHERE scheme_id = 'S1' AND period = 'all' AND dimension = 'imd_quintile' AND stratum = '1'
    AND measure LIKE 'outcome%'
ORDER BY measure
