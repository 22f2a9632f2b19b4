-- Pathway measures by age band, sex and ethnic group for one period, every scheme and
-- ALL, groups in their canonical order.
SELECT scheme_id, dimension, stratum, measure, numerator, denominator
FROM equity_strata
WHERE period = $period AND dimension IN ('age_band', 'sex', 'ethnic_group')
ORDER BY scheme_id, dimension, measure, stratum_order, stratum
