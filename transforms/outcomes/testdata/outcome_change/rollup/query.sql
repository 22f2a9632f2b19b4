-- The rolled-up groups: ALL and all combine the cells of each scheme and quarter.
SELECT scheme_id, period, pairs, baseline_mean, followup_mean, mean_change, mean_change_lower, mean_change_upper,
    sd_change, srm, improved, worsened
FROM outcome_change
WHERE dimension = 'all' AND measure = 'wemwbs'
    AND (scheme_id = 'ALL' OR period = 'all')
ORDER BY scheme_id, period
