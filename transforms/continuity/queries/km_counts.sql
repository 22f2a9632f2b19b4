-- Time to first contact aggregated to first contact into per-day event and censoring counts
-- for every continuity_summary cell, labelled exactly as int_continuity_summary.sql labels
-- them, so the Kaplan–Meier curve is computed over days rather than over referrals.
SELECT
    CASE WHEN grouping(scheme_id) = 1 THEN 'ALL' ELSE scheme_id END AS g_scheme,
    CASE WHEN grouping(period) = 1 THEN 'all' ELSE period END AS g_period,
    CASE WHEN grouping(imd_quintile) = 1 THEN 'all' ELSE CAST(imd_quintile AS VARCHAR) END AS g_stratum,
    days_to_first_contact AS t,
    count(*) FILTER (WHERE first_contact_event) AS events,
    count(*) FILTER (WHERE NOT first_contact_event) AS censored
FROM episode_metrics
WHERE days_to_first_contact IS NOT NULL
GROUP BY GROUPING SETS (
    (scheme_id, period, imd_quintile, days_to_first_contact),
    (scheme_id, period, days_to_first_contact),
    (scheme_id, imd_quintile, days_to_first_contact),
    (scheme_id, days_to_first_contact),
    (period, imd_quintile, days_to_first_contact),
    (period, days_to_first_contact),
    (imd_quintile, days_to_first_contact),
    (days_to_first_contact)
)
HAVING grouping(imd_quintile) = 1 OR imd_quintile IS NOT NULL
ORDER BY g_scheme, g_period, g_stratum, t
