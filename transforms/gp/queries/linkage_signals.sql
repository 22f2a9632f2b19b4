-- The linkage measures per scheme (and ALL) × period (and all), for sig_gp_linkage:
-- numerator, mature denominator and immature count of each.
SELECT coalesce(scheme_id, 'ALL'), coalesce(period, 'all'), 'gp_coding_completeness',
    count(*) FILTER (WHERE mature AND coded), count(*) FILTER (WHERE mature), count(*) FILTER (WHERE NOT mature)
FROM int_gp_completeness
GROUP BY GROUPING SETS ((scheme_id, period), (scheme_id), (period), ())
-- the empty grouping set makes a row of input that has none
HAVING count(*) > 0
UNION ALL
SELECT scheme_id, coalesce(period, 'all'), 'gp_lost_between_sectors',
    count(*) FILTER (WHERE mature AND lost), count(*) FILTER (WHERE mature), count(*) FILTER (WHERE NOT mature)
FROM int_gp_lost
GROUP BY GROUPING SETS ((scheme_id, period), (scheme_id))
ORDER BY 1, 2, 3
