-- kind: table
-- reads: episode_metrics
-- The distribution of link-worker contacts per episode (design §5) per scheme (and ALL) ×
-- period (and all): how many episodes had 0, 1, 2, … contacts. A spike at one count with
-- little beyond it is what a fixed session cap looks like (see continuity_summary).
WITH e AS (
    SELECT scheme_id AS g_scheme, period AS g_period, lw_contacts, closed
    FROM episode_metrics
)
SELECT
    CASE WHEN grouping(g_scheme) = 1 THEN 'ALL' ELSE g_scheme END AS scheme_id,
    CASE WHEN grouping(g_period) = 1 THEN 'all' ELSE g_period END AS period,
    lw_contacts AS contacts,
    count(*) AS episodes,
    count(*) FILTER (WHERE closed) AS closed_episodes
FROM e
GROUP BY GROUPING SETS ((g_scheme, g_period, lw_contacts), (g_scheme, lw_contacts), (g_period, lw_contacts), (lw_contacts))
ORDER BY scheme_id, period, contacts
