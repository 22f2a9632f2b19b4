-- Who gets measured (design §11): two pathway measures in int_equity_strata's shape, so
-- that attrition that tracks deprivation shows beside the outcomes rather than hiding
-- inside their averages. Only when an outcomes extract is loaded: without one, no
-- referral could have a baseline, and a row of zeros would read as a finding.
--   outcome_baselined   = contacted referrals with a baseline of any measure / contacted
--                         referrals; mature 120 days after the referral (and once the
--                         contacted window has passed).
--   outcome_followed_up = baselined referrals with a follow-up of any measure /
--                         baselined referrals; mature when the earliest baseline + the
--                         follow-up window's end (270 days by default) <= data_end.
-- Strata are placed as int_equity_strata places them (national quintiles, or the scheme's
-- local cuts).
--
-- The int_equity_measured_strata model (measured.go) runs this as a temp table. A full
-- build counts every referral once (sign 1). A nightly build
-- (getvariable('measured_incremental')) counts only the referrals whose flags may have
-- moved (measured_moved, queries/measured_moved.sql), each as it is now (sign 1) and as it
-- was at the last build (sign -1: facts_prior, pairs_prior, maturity at the last
-- data_end; none for referrals new since), and the sums move the last build's counts
-- (measured_prior).
WITH w AS (SELECT * FROM measured_windows),
refs AS (
    SELECT r.*
    FROM int_referrals r
    WHERE r.referral_date IS NOT NULL AND EXISTS (SELECT 1 FROM outcomes)
      AND (NOT getvariable('measured_incremental') OR r.referral_id IN (SELECT referral_id FROM measured_moved))
),
measured AS (
    SELECT referral_id, min(baseline_date) AS baseline_date, bool_or(followup_date IS NOT NULL) AS followed_up
    FROM outcome_pairs
    WHERE baseline_date IS NOT NULL
      AND (NOT getvariable('measured_incremental') OR referral_id IN (SELECT referral_id FROM measured_moved))
    GROUP BY referral_id
),
states AS (
    SELECT r.*, 1 AS sign, w.data_end AS at_end,
        f.contacts_in_contacted_window AS contacts, m.baseline_date, m.followed_up
    FROM refs r
    CROSS JOIN w
    LEFT JOIN referral_facts f USING (referral_id)
    LEFT JOIN measured m USING (referral_id)
    UNION ALL
    SELECT r.*, -1, w.prev_end,
        CASE WHEN fp.referral_id IS NOT NULL THEN fp.contacts_in_contacted_window ELSE f.contacts_in_contacted_window END,
        CASE WHEN pp.referral_id IS NOT NULL THEN pp.baseline_date ELSE m.baseline_date END,
        CASE WHEN pp.referral_id IS NOT NULL THEN pp.followed_up ELSE m.followed_up END
    FROM refs r
    CROSS JOIN w
    LEFT JOIN referral_facts f USING (referral_id)
    LEFT JOIN facts_prior fp USING (referral_id)
    LEFT JOIN measured m USING (referral_id)
    LEFT JOIN pairs_prior pp USING (referral_id)
    WHERE getvariable('measured_incremental')
      AND r.referral_id NOT IN (SELECT referral_id FROM strata_new_referrals)
),
flags AS (
    SELECT
        s.scheme_id, s.period, s.imd_rank, s.imd_decile, s.imd_quintile, s.age_band, sex_group(s.sex) AS sex,
        s.ethnic_group, s.sign,
        coalesce(s.contacts, 0) >= 1 AS contacted,
        s.referral_date + w.w_baselined <= s.at_end AS mature_baselined,
        s.baseline_date IS NOT NULL AS baselined,
        s.baseline_date + w.w_followed <= s.at_end AS mature_followed,
        coalesce(s.followed_up, false) AS followed_up
    FROM states s
    CROSS JOIN w
),
copies AS (
    SELECT f.*, f.scheme_id AS g_scheme FROM flags f
    UNION ALL
    SELECT f.*, 'ALL' AS g_scheme FROM flags f
),
placed AS (
    SELECT
        c.g_scheme, c.period, c.age_band, c.sex, c.ethnic_group,
        coalesce(l5.stratum, c.imd_quintile) AS q5,
        coalesce(l10.stratum, c.imd_decile) AS q10,
        coalesce(sum(sign) FILTER (WHERE contacted AND mature_baselined), 0) AS baselined_den,
        coalesce(sum(sign) FILTER (WHERE contacted AND mature_baselined AND baselined), 0) AS baselined_num,
        coalesce(sum(sign) FILTER (WHERE contacted AND NOT mature_baselined), 0) AS baselined_imm,
        coalesce(sum(sign) FILTER (WHERE contacted AND mature_baselined AND baselined AND mature_followed), 0) AS followed_den,
        coalesce(sum(sign) FILTER (WHERE contacted AND mature_baselined AND baselined AND mature_followed AND followed_up), 0)
            AS followed_num,
        coalesce(sum(sign) FILTER (WHERE contacted AND baselined AND NOT (mature_baselined AND mature_followed)), 0) AS followed_imm
    FROM copies c
    LEFT JOIN int_equity_quantile_cuts l5
        ON l5.scheme_id = c.g_scheme AND l5.quantiles = 5 AND c.imd_rank BETWEEN l5.lo_rank AND l5.hi_rank
    LEFT JOIN int_equity_quantile_cuts l10
        ON l10.scheme_id = c.g_scheme AND l10.quantiles = 10 AND c.imd_rank BETWEEN l10.lo_rank AND l10.hi_rank
    GROUP BY ALL
),
long AS (
    SELECT p.*, d.dimension, CASE d.dimension
            WHEN 'imd_quintile' THEN CAST(p.q5 AS VARCHAR)
            WHEN 'imd_decile' THEN CAST(p.q10 AS VARCHAR)
            WHEN 'age_band' THEN p.age_band
            WHEN 'sex' THEN p.sex
            ELSE p.ethnic_group END AS stratum
    FROM placed p
    CROSS JOIN (VALUES ('imd_quintile'), ('imd_decile'), ('age_band'), ('sex'), ('ethnic_group')) d(dimension)
),
agg_delta AS (
    SELECT g_scheme AS scheme_id, CASE WHEN grouping(period) = 1 THEN 'all' ELSE period END AS period, dimension, stratum,
        sum(baselined_den) AS baselined_den, sum(baselined_num) AS baselined_num, sum(baselined_imm) AS baselined_imm,
        sum(followed_den) AS followed_den, sum(followed_num) AS followed_num, sum(followed_imm) AS followed_imm
    FROM long
    WHERE stratum IS NOT NULL
    GROUP BY GROUPING SETS ((g_scheme, period, dimension, stratum), (g_scheme, dimension, stratum))
),
-- the last build's counts moved by this build's (a full build has no prior counts)
agg AS (
    SELECT scheme_id, period, dimension, stratum,
        sum(baselined_den) AS baselined_den, sum(baselined_num) AS baselined_num, sum(baselined_imm) AS baselined_imm,
        sum(followed_den) AS followed_den, sum(followed_num) AS followed_num, sum(followed_imm) AS followed_imm
    FROM (SELECT * FROM agg_delta UNION ALL BY NAME SELECT * FROM measured_prior)
    GROUP BY ALL
),
-- every IMD stratum of every scheme × period with referrals, empty ones included
cells AS (
    SELECT DISTINCT scheme_id, period FROM agg
),
grid AS (
    SELECT c.scheme_id, c.period, g.dimension, CAST(g.s AS VARCHAR) AS stratum
    FROM cells c
    CROSS JOIN (
        SELECT 'imd_quintile' AS dimension, s FROM range(1, 6) t(s)
        UNION ALL
        SELECT 'imd_decile', s FROM range(1, 11) t(s)
    ) g
    UNION
    SELECT scheme_id, period, dimension, stratum FROM agg WHERE dimension NOT IN ('imd_quintile', 'imd_decile')
),
local_schemes AS (
    SELECT DISTINCT scheme_id FROM int_equity_quantile_cuts
),
rows AS (
    SELECT g.scheme_id, g.period, g.dimension, g.stratum, m.measure,
        coalesce(CASE m.measure WHEN 'outcome_baselined' THEN a.baselined_num ELSE a.followed_num END, 0) AS numerator,
        coalesce(CASE m.measure WHEN 'outcome_baselined' THEN a.baselined_den ELSE a.followed_den END, 0) AS denominator,
        coalesce(CASE m.measure WHEN 'outcome_baselined' THEN a.baselined_imm ELSE a.followed_imm END, 0) AS immature,
        CASE m.measure WHEN 'outcome_baselined' THEN (SELECT w_baselined FROM w) ELSE (SELECT w_followed FROM w) END
            AS window_days
    FROM grid g
    CROSS JOIN (VALUES ('outcome_baselined'), ('outcome_followed_up')) m(measure)
    LEFT JOIN agg a USING (scheme_id, period, dimension, stratum)
)
SELECT
    x.scheme_id,
    x.period,
    x.dimension,
    x.stratum,
    x.measure,
    CAST(x.numerator AS BIGINT) AS numerator,
    CAST(x.denominator AS BIGINT) AS denominator,
    CAST(x.numerator AS DOUBLE) / nullif(x.denominator, 0) AS value,
    CAST(NULL AS DOUBLE) AS lower,
    CAST(NULL AS DOUBLE) AS upper,
    CAST(x.immature AS BIGINT) AS immature,
    CAST(stratum_order(x.dimension, x.stratum) AS INTEGER) AS stratum_order,
    'proportion' AS unit,
    CAST(x.window_days AS INTEGER) AS window_days,
    'favourable' AS polarity,
    CASE WHEN x.dimension NOT IN ('imd_quintile', 'imd_decile') THEN NULL
        WHEN ls.scheme_id IS NULL THEN 'national' ELSE 'local' END AS quantile_basis
FROM rows x
LEFT JOIN local_schemes ls USING (scheme_id)
ORDER BY x.scheme_id, x.period, x.dimension, x.measure, stratum_order, x.stratum
