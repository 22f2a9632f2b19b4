-- Pathway measures by IMD quintile for one period, every scheme and ALL.
SELECT scheme_id, measure, CAST(stratum AS INTEGER) AS stratum, numerator, denominator,
       coalesce(immature, 0) AS immature, unit, window_days
FROM equity_strata
WHERE period = $period AND dimension = 'imd_quintile'
ORDER BY scheme_id, measure, stratum
