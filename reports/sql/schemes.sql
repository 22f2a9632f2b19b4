-- Schemes with referrals in the period (ALL added by the caller), for $period or, when it
-- is empty, for every period (reports.preload); and schemes with the GP record's measures
-- (design §12), which may have no platform data at all (platform false).
SELECT period, scheme_id, bool_or(platform) AS platform FROM (
    SELECT DISTINCT period, scheme_id, true AS platform FROM episode_metrics
    WHERE ($period = '' OR period = $period) AND scheme_id IS NOT NULL
    UNION ALL
    SELECT DISTINCT period, scheme_id, false FROM equity_strata
    WHERE ($period = '' OR period = $period) AND scheme_id IS NOT NULL AND period <> 'all'
        AND starts_with(measure, 'gp_') AND dimension = 'imd_quintile'
)
GROUP BY period, scheme_id
ORDER BY period, scheme_id
