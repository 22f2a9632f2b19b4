-- kind: temp
-- reads: int_gp_referral_attrs, gp_registered, int_gp_periods, int_equity_quantile_cuts
-- The GP measures in int_equity_strata's shape (design §12), for equity_strata:
--   gp_referral_rate = GP-coded referrals in the period per 1,000 people registered at its
--                      mid-point (favourable), for complete periods only (int_gp_periods);
--   gp_declined      = coded referrals declined within 90 days / coded referrals whose 90
--                      days have passed (adverse); the rest are immature.
-- Per scheme (ALL and each listing scheme) × period (and all) × stratum of IMD quintile
-- and decile (national, or the scheme's local cuts), age band, sex and ethnic group.
-- Every deprivation stratum of a cell is listed, empty ones included. Recomputed in full
-- each build: the rows are few and the list is replaced whole when it changes.
WITH local_schemes AS (
    SELECT DISTINCT scheme_id FROM int_equity_quantile_cuts
),
refs AS (
    SELECT
        a.scheme_id, a.period, a.age_band, a.sex, a.ethnic_group,
        coalesce(l5.stratum, a.imd_quintile) AS q5,
        coalesce(l10.stratum, a.imd_decile) AS q10,
        count(*) FILTER (WHERE a.period IN (SELECT period FROM int_gp_periods)) AS referrals,
        count(*) FILTER (WHERE a.declined_mature) AS declined_den,
        count(*) FILTER (WHERE a.declined_mature AND a.declined) AS declined_num,
        count(*) FILTER (WHERE NOT a.declined_mature) AS declined_imm
    FROM int_gp_referral_attrs a
    LEFT JOIN int_equity_quantile_cuts l5
        ON l5.scheme_id = a.scheme_id AND l5.quantiles = 5 AND a.imd_rank BETWEEN l5.lo_rank AND l5.hi_rank
    LEFT JOIN int_equity_quantile_cuts l10
        ON l10.scheme_id = a.scheme_id AND l10.quantiles = 10 AND a.imd_rank BETWEEN l10.lo_rank AND l10.hi_rank
    GROUP BY ALL
),
dims AS (
    SELECT * FROM (VALUES ('imd_quintile'), ('imd_decile'), ('age_band'), ('sex'), ('ethnic_group')) d(dimension)
),
-- each stratum's counts: the period's referrals and the whole span's (period 'all' counts
-- complete periods for the rate, every period for declines)
ref_long AS (
    SELECT r.scheme_id, p.period, d.dimension,
        CASE d.dimension WHEN 'imd_quintile' THEN CAST(r.q5 AS VARCHAR) WHEN 'imd_decile' THEN CAST(r.q10 AS VARCHAR)
            WHEN 'age_band' THEN r.age_band WHEN 'sex' THEN r.sex ELSE r.ethnic_group END AS stratum,
        sum(r.referrals) AS referrals, sum(r.declined_den) AS declined_den, sum(r.declined_num) AS declined_num,
        sum(r.declined_imm) AS declined_imm
    FROM refs r
    CROSS JOIN (SELECT DISTINCT period FROM refs UNION SELECT 'all') p
    CROSS JOIN dims d
    WHERE p.period = r.period OR p.period = 'all'
    GROUP BY ALL
),
pop_long AS (
    -- gp_registered places the list's IMD strata as refs above places the referrals
    SELECT scheme_id, period, dimension, stratum, patients FROM gp_registered WHERE dimension <> 'practice'
),
rate_cells AS (
    SELECT DISTINCT scheme_id, period FROM gp_registered
),
declined_cells AS (
    SELECT DISTINCT scheme_id, period FROM ref_long
),
imd_strata AS (
    SELECT 'imd_quintile' AS dimension, CAST(s AS VARCHAR) AS stratum FROM range(1, 6) t(s)
    UNION ALL
    SELECT 'imd_decile', CAST(s AS VARCHAR) FROM range(1, 11) t(s)
),
rate_rows AS (
    -- the IMD strata of every cell; the other strata where the list or the referrals have people
    SELECT c.scheme_id, c.period, g.dimension, g.stratum FROM rate_cells c CROSS JOIN imd_strata g
    UNION
    SELECT scheme_id, period, dimension, stratum FROM pop_long
    WHERE dimension NOT IN ('imd_quintile', 'imd_decile') AND stratum IS NOT NULL
    UNION
    SELECT r.scheme_id, r.period, r.dimension, r.stratum FROM ref_long r JOIN rate_cells USING (scheme_id, period)
    WHERE r.dimension NOT IN ('imd_quintile', 'imd_decile') AND r.stratum IS NOT NULL AND r.referrals > 0
),
declined_rows AS (
    SELECT c.scheme_id, c.period, g.dimension, g.stratum FROM declined_cells c CROSS JOIN imd_strata g
    UNION
    SELECT scheme_id, period, dimension, stratum FROM ref_long
    WHERE dimension NOT IN ('imd_quintile', 'imd_decile') AND stratum IS NOT NULL
),
all_rows AS (
    SELECT k.scheme_id, k.period, k.dimension, k.stratum, 'gp_referral_rate' AS measure,
        coalesce(r.referrals, 0) AS numerator, coalesce(p.patients, 0) AS denominator, 0 AS immature
    FROM rate_rows k
    LEFT JOIN ref_long r USING (scheme_id, period, dimension, stratum)
    LEFT JOIN pop_long p USING (scheme_id, period, dimension, stratum)
    UNION ALL
    SELECT k.scheme_id, k.period, k.dimension, k.stratum, 'gp_declined',
        coalesce(r.declined_num, 0), coalesce(r.declined_den, 0), coalesce(r.declined_imm, 0)
    FROM declined_rows k
    LEFT JOIN ref_long r USING (scheme_id, period, dimension, stratum)
)
SELECT
    x.scheme_id,
    x.period,
    x.dimension,
    x.stratum,
    x.measure,
    CAST(x.numerator AS BIGINT) AS numerator,
    CAST(x.denominator AS BIGINT) AS denominator,
    CASE
        WHEN x.measure = 'gp_referral_rate' THEN 1000.0 * x.numerator / nullif(x.denominator, 0)
        ELSE CAST(x.numerator AS DOUBLE) / nullif(x.denominator, 0)
    END AS value,
    CAST(NULL AS DOUBLE) AS lower,
    CAST(NULL AS DOUBLE) AS upper,
    CAST(x.immature AS BIGINT) AS immature,
    CAST(stratum_order(x.dimension, x.stratum) AS INTEGER) AS stratum_order,
    CASE WHEN x.measure = 'gp_referral_rate' THEN 'per 1,000 registered patients' ELSE 'proportion' END AS unit,
    CASE WHEN x.measure = 'gp_declined' THEN 90 END AS window_days,
    CASE WHEN x.measure = 'gp_declined' THEN 'adverse' ELSE 'favourable' END AS polarity,
    CASE
        WHEN x.dimension NOT IN ('imd_quintile', 'imd_decile') THEN NULL
        WHEN x.scheme_id IN (SELECT scheme_id FROM local_schemes) THEN 'local'
        ELSE 'national'
    END AS quantile_basis
FROM all_rows x
