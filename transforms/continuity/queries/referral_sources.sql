-- Referrals counted by source per scheme (and ALL) × period (and all).
SELECT
    CASE WHEN grouping(scheme_id) = 1 THEN 'ALL' ELSE scheme_id END AS g_scheme,
    CASE WHEN grouping(period) = 1 THEN 'all' ELSE period END AS g_period,
    coalesce(nullif(trim(referral_source), ''), 'not_recorded') AS source,
    count(*) AS n
FROM episode_metrics
GROUP BY GROUPING SETS ((scheme_id, period, source), (scheme_id, source), (period, source), (source))
ORDER BY g_scheme, g_period, n DESC, source
