-- Per group of int_outcome_strata, what outcome_change's statistics rest on: the number
-- of pairs, means and SD, the pairs improved and worsened by the meaningful change (in the
-- measure's direction: for ons4_anxious and ucla3 a fall is an improvement), and for the
-- ONS questions the cells of the band of concern before and after (ONS: low 0–4 for
-- satisfied, worthwhile and happy; high 6–10 for anxious).
-- Parameters: the meaningful change of swemwbs, then of wemwbs.
WITH p AS (
    SELECT *,
        CASE WHEN measure IN ('ons4_anxious', 'ucla3') THEN 'adverse' ELSE 'favourable' END AS polarity,
        CASE WHEN measure IN ('ons4_anxious', 'ucla3') THEN -change ELSE change END AS gain,
        CASE measure WHEN 'swemwbs' THEN CAST($1 AS DOUBLE) WHEN 'wemwbs' THEN CAST($2 AS DOUBLE) END AS mc,
        CASE WHEN measure = 'ons4_anxious' THEN baseline_score >= 6 WHEN measure LIKE 'ons4_%' THEN baseline_score <= 4 END AS band_before,
        CASE WHEN measure = 'ons4_anxious' THEN followup_score >= 6 WHEN measure LIKE 'ons4_%' THEN followup_score <= 4 END AS band_after
    FROM int_outcome_strata
)
SELECT scheme_id, period, dimension, stratum, measure, any_value(polarity) AS polarity, count(*) AS pairs,
    avg(baseline_score) AS baseline_mean, avg(followup_score) AS followup_mean,
    avg(change) AS mean_change, stddev_samp(change) AS sd_change,
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
GROUP BY scheme_id, period, dimension, stratum, measure
ORDER BY scheme_id, period, dimension, stratum, measure
