-- S1's contacted proportion and reach by national IMD quintile in its one period.
SELECT dimension, stratum, measure, numerator, denominator, value, lower, upper, immature
FROM equity_strata
WHERE scheme_id = 'S1' AND period = '2024-Q1' AND dimension = 'imd_quintile' AND measure IN ('contacted', 'reach')
