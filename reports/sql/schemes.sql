-- Schemes with referrals in the period (ALL added by the caller), for $period or, when it
-- is empty, for every period (reports.preload).
SELECT DISTINCT period, scheme_id FROM episode_metrics
WHERE ($period = '' OR period = $period) AND scheme_id IS NOT NULL
ORDER BY period, scheme_id
