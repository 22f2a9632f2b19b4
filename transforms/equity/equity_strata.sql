-- kind: table
-- reads: int_equity_strata, int_equity_measured_strata, int_gp_strata, int_equity_strata_limits
-- Equity strata (design §4, §8, §11): each pathway measure's numerator, denominator, value
-- and 95% interval per scheme (and ALL) × period (and all) × stratum. The counts are
-- int_equity_strata's, for who gets measured int_equity_measured_strata's, and for the
-- GP measures int_gp_strata's; the limits int_equity_strata_limits' (computed in Go, as
-- the summary statistics in equity_summary are: one implementation of each statistic).
SELECT
    s.* REPLACE (l.lower AS lower, l.upper AS upper)
FROM (SELECT * FROM int_equity_strata UNION ALL BY NAME SELECT * FROM int_equity_measured_strata
    UNION ALL BY NAME SELECT * FROM int_gp_strata) s
LEFT JOIN int_equity_strata_limits l USING (scheme_id, period, dimension, stratum, measure)
ORDER BY s.scheme_id, s.period, s.dimension, s.measure, s.stratum_order, s.stratum
