-- Distributions of the continuity indices over episodes with 2 or more contacts with a
-- recorded worker, in tenths (1.0 falls in the top bin), per scheme and ALL.
WITH e AS (
    SELECT scheme_id, upc, coc, secon
    FROM episode_metrics
    WHERE period = $period AND worker_contacts >= 2
),
long AS (
    SELECT scheme_id, 'upc' AS idx, upc AS v FROM e
    UNION ALL SELECT scheme_id, 'coc', coc FROM e
    UNION ALL SELECT scheme_id, 'secon', secon FROM e
),
binned AS (
    SELECT scheme_id, idx, least(CAST(floor(v * 10) AS INTEGER), 9) AS bin
    FROM long WHERE v IS NOT NULL
)
SELECT coalesce(scheme_id, 'ALL') AS scheme_id, idx, bin, count(*) AS n
FROM binned
GROUP BY GROUPING SETS ((scheme_id, idx, bin), (idx, bin))
ORDER BY scheme_id, idx, bin
