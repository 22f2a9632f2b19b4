-- Wellbeing change for one period (design §11): every pair, and by IMD quintile and by
-- continuity of link working.
SELECT scheme_id, measure, polarity, dimension, stratum, pairs, baseline_mean, followup_mean,
    mean_change, mean_change_lower, mean_change_upper, sd_change, srm, improved, worsened,
    band_baseline, band_followup, band_difference, band_difference_lower, band_difference_upper
FROM outcome_change
WHERE period = $period AND dimension IN ('all', 'imd_quintile', 'continuity')
ORDER BY scheme_id, measure,
    CASE dimension WHEN 'all' THEN 1 WHEN 'imd_quintile' THEN 2 ELSE 3 END,
    CASE stratum WHEN 'single_worker' THEN '1' WHEN 'mostly_one' THEN '2' WHEN 'dispersed' THEN '3'
        WHEN 'under_three_contacts' THEN '4' ELSE stratum END
