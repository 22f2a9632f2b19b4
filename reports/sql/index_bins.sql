-- Distributions of the continuity indices over episodes with 2 or more contacts with a
-- recorded worker, in tenths (1.0 falls in the top bin), per scheme and ALL, for $period
-- or, when it is empty, for every period (reports.preload).
WITH e AS (
    SELECT period, scheme_id, upc, coc, secon
    FROM episode_metrics
    WHERE ($period = '' OR period = $period) AND worker_contacts >= 2
),
long AS (
    SELECT period, scheme_id, 'upc' AS idx, upc AS v FROM e
    UNION ALL SELECT period, scheme_id, 'coc', coc FROM e
    UNION ALL SELECT period, scheme_id, 'secon', secon FROM e
),
binned AS (
    SELECT period, scheme_id, idx, least(CAST(floor(v * 10) AS INTEGER), 9) AS bin
    FROM long WHERE v IS NOT NULL
)
SELECT period, coalesce(scheme_id, 'ALL') AS scheme_id, idx, bin, count(*) AS n
FROM binned
GROUP BY GROUPING SETS ((period, scheme_id, idx, bin), (period, idx, bin))
ORDER BY period, scheme_id, idx, bin
