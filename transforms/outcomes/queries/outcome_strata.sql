-- Per scheme (and ALL) × period (and all) × dimension × stratum × measure, what
-- outcome_change's statistics rest on: the number of pairs, means and SD, the pairs
-- improved and worsened by the meaningful change (in the measure's direction: for
-- ons4_anxious and ucla3 a fall is an improvement), and for the ONS questions the cells
-- of the band of concern before and after (ONS: low 0–4 for satisfied, worthwhile and
-- happy; high 6–10 for anxious).
-- Each pair (outcome_pairs, paired) is aggregated once per dimension, by grouping sets
-- over the strata the pair carries (all; IMD quintile, age band, sex, ethnic group; the
-- mechanism: continuity and ended at the cap; a pair without a quintile or a cap decision
-- has no stratum of that dimension), under its own scheme and period (cell); ALL and all
-- combine those cells exactly: counts add, means weight by pairs, and the sums of squared
-- deviations combine by Chan et al.'s pairwise formula (M2 = Σ M2ᵢ + Σ nᵢ(d̄ᵢ − d̄)²).
-- Parameters: the meaningful change of swemwbs, then of wemwbs.
WITH p AS (
    SELECT scheme_id, period, measure, baseline_score, followup_score, change,
        CAST(imd_quintile AS VARCHAR) AS imd_quintile, age_band, sex, ethnic_group, continuity, ended_at_cap,
        CASE WHEN measure IN ('ons4_anxious', 'ucla3') THEN 'adverse' ELSE 'favourable' END AS polarity,
        CASE WHEN measure IN ('ons4_anxious', 'ucla3') THEN -change ELSE change END AS gain,
        CASE measure WHEN 'swemwbs' THEN CAST($1 AS DOUBLE) WHEN 'wemwbs' THEN CAST($2 AS DOUBLE) END AS mc,
        CASE WHEN measure = 'ons4_anxious' THEN baseline_score >= 6 WHEN measure LIKE 'ons4_%' THEN baseline_score <= 4 END AS band_before,
        CASE WHEN measure = 'ons4_anxious' THEN followup_score >= 6 WHEN measure LIKE 'ons4_%' THEN followup_score <= 4 END AS band_after
    FROM outcome_pairs
    WHERE pair_status = 'paired'
),
grouped AS (
    SELECT scheme_id, period, measure,
        CASE WHEN grouping(imd_quintile) = 0 THEN 'imd_quintile' WHEN grouping(age_band) = 0 THEN 'age_band'
            WHEN grouping(sex) = 0 THEN 'sex' WHEN grouping(ethnic_group) = 0 THEN 'ethnic_group'
            WHEN grouping(continuity) = 0 THEN 'continuity' WHEN grouping(ended_at_cap) = 0 THEN 'ended_at_cap'
            ELSE 'all' END AS dimension,
        CASE WHEN grouping(imd_quintile) = 0 THEN imd_quintile WHEN grouping(age_band) = 0 THEN age_band
            WHEN grouping(sex) = 0 THEN sex WHEN grouping(ethnic_group) = 0 THEN ethnic_group
            WHEN grouping(continuity) = 0 THEN continuity WHEN grouping(ended_at_cap) = 0 THEN ended_at_cap
            ELSE 'all' END AS stratum,
        any_value(polarity) AS polarity, count(*) AS n,
        avg(baseline_score) AS mb, avg(followup_score) AS mf, avg(change) AS md,
        -- the sum of squared deviations from the cell's mean
        coalesce(var_samp(change) * (count(*) - 1), 0) AS m2,
        -- a tolerance: metric scores are decimals, and a change of 3.0 must count as 3
        count(*) FILTER (WHERE gain >= mc - 1e-9) AS improved,
        count(*) FILTER (WHERE gain <= -mc + 1e-9) AS worsened,
        bool_or(mc IS NOT NULL AND mc > 0) AS has_mc,
        bool_or(band_before IS NOT NULL) AS has_band,
        count(*) FILTER (WHERE band_before AND band_after) AS band_both,
        count(*) FILTER (WHERE band_after AND NOT band_before) AS band_after_only,
        count(*) FILTER (WHERE band_before AND NOT band_after) AS band_before_only,
        count(*) FILTER (WHERE NOT band_before AND NOT band_after) AS band_neither
    FROM p
    GROUP BY GROUPING SETS ((scheme_id, period, measure), (scheme_id, period, measure, imd_quintile),
        (scheme_id, period, measure, age_band), (scheme_id, period, measure, sex), (scheme_id, period, measure, ethnic_group),
        (scheme_id, period, measure, continuity), (scheme_id, period, measure, ended_at_cap))
),
cell AS (
    SELECT scheme_id, period, dimension, stratum, measure, polarity, n, mb, mf, md, m2, improved, worsened, has_mc, has_band,
        band_both, band_after_only, band_before_only, band_neither
    FROM grouped
    WHERE stratum IS NOT NULL
),
rolled AS (
    SELECT c.* REPLACE (s.scheme_id AS scheme_id, t.period AS period)
    FROM cell c
    CROSS JOIN LATERAL (VALUES (c.scheme_id), ('ALL')) s(scheme_id)
    CROSS JOIN LATERAL (VALUES (c.period), ('all')) t(period)
),
weighed AS (
    SELECT *, sum(n * md) OVER g / sum(n) OVER g AS group_md
    FROM rolled
    WINDOW g AS (PARTITION BY scheme_id, period, dimension, stratum, measure)
)
SELECT scheme_id, period, dimension, stratum, measure, any_value(polarity) AS polarity, CAST(sum(n) AS BIGINT) AS pairs,
    sum(n * mb) / sum(n) AS baseline_mean, sum(n * mf) / sum(n) AS followup_mean,
    any_value(group_md) AS mean_change,
    CASE WHEN sum(n) >= 2 THEN sqrt(sum(m2 + n * (md - group_md) ^ 2) / (sum(n) - 1)) END AS sd_change,
    CAST(sum(improved) AS BIGINT) AS improved, CAST(sum(worsened) AS BIGINT) AS worsened, bool_or(has_mc) AS has_mc, bool_or(has_band) AS has_band,
    CAST(sum(band_both) AS BIGINT) AS band_both, CAST(sum(band_after_only) AS BIGINT) AS band_after_only,
    CAST(sum(band_before_only) AS BIGINT) AS band_before_only, CAST(sum(band_neither) AS BIGINT) AS band_neither
FROM weighed
GROUP BY scheme_id, period, dimension, stratum, measure
ORDER BY scheme_id, period, dimension, stratum, measure
