-- The SII across IMD quintiles of each pathway measure in recent periods up to and
-- including this one ($periods of them, as the trend), per scheme and ALL, with whether
-- every referral of the period is mature for the measure (a period that is not is left
-- out of the test of trend).
WITH p AS (
    SELECT DISTINCT period FROM equity_summary
    WHERE period <> 'all' AND period <= $period AND length(period) = length($period)
    ORDER BY period DESC LIMIT $periods
),
immature AS (
    SELECT scheme_id, period, measure, sum(immature) AS immature
    FROM equity_strata
    WHERE dimension = 'imd_quintile'
    GROUP BY ALL
)
SELECT s.scheme_id, s.measure, s.period, s.sii, s.sii_lower, s.sii_upper,
       coalesce(i.immature, 0) = 0 AS mature
FROM equity_summary s
JOIN p USING (period)
LEFT JOIN immature i USING (scheme_id, period, measure)
WHERE s.dimension = 'imd_quintile' AND s.measure IN ('reach', 'contacted', 'engaged', 'vcs_uptake', 'dna')
ORDER BY s.scheme_id, s.measure, s.period
