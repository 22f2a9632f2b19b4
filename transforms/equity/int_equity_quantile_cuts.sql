-- kind: temp
-- reads: int_equity_population
-- Local deprivation fifths and tenths for `quantiles: local` (design §4; OHID "Assigning
-- deprivation categories"): each scheme's catchment LSOAs (period 'all' population) are
-- ordered by national IMD rank, most deprived first, and split into population-weighted
-- fifths and tenths. An LSOA falls in the fraction that holds the mid-point of its
-- cumulative population share, so a large LSOA on a boundary goes where most of its
-- people are. Each stratum becomes a range of national ranks [lo_rank, hi_rank], open at
-- both ends, so a referral from an LSOA outside the catchment is still placed by its rank.
-- Empty unless quantiles = 'local' and the scheme's catchment has registered population.
WITH lsoas AS (
    SELECT scheme_id, imd_rank, sum(patients) AS patients
    FROM int_equity_population
    WHERE getvariable('quantiles') = 'local' AND period = 'all' AND imd_rank IS NOT NULL
    GROUP BY ALL
    HAVING sum(patients) > 0
),
shares AS (
    SELECT
        scheme_id,
        imd_rank,
        patients,
        (sum(patients) OVER (PARTITION BY scheme_id ORDER BY imd_rank ROWS UNBOUNDED PRECEDING) - patients / 2.0)
            / sum(patients) OVER (PARTITION BY scheme_id) AS mid_share
    FROM lsoas
),
assigned AS (
    SELECT s.scheme_id, q.quantiles, least(q.quantiles, CAST(floor(q.quantiles * s.mid_share) AS INTEGER) + 1) AS stratum,
        s.imd_rank, s.patients
    FROM shares s
    CROSS JOIN (VALUES (5), (10)) q(quantiles)
),
ranges AS (
    SELECT scheme_id, quantiles, stratum, min(imd_rank) AS min_rank, max(imd_rank) AS max_rank,
        sum(patients) AS patients, count(*) AS lsoas
    FROM assigned
    GROUP BY ALL
)
SELECT
    scheme_id,
    quantiles,
    stratum,
    CAST(coalesce(lag(max_rank) OVER w + 1, 0) AS INTEGER) AS lo_rank,
    CAST(CASE WHEN lead(max_rank) OVER w IS NULL THEN 2147483647 ELSE max_rank END AS INTEGER) AS hi_rank,
    min_rank,
    max_rank,
    CAST(patients AS BIGINT) AS patients,
    lsoas
FROM ranges
WINDOW w AS (PARTITION BY scheme_id, quantiles ORDER BY stratum)
