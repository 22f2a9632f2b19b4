-- Recent periods up to and including this one, per scheme and ALL.
WITH p AS (
    SELECT DISTINCT period FROM continuity_summary
    WHERE period <> 'all' AND period <= $period AND length(period) = length($period)
    ORDER BY period DESC LIMIT $periods
)
SELECT c.scheme_id, c.period, c.episodes, c.contacted_episodes, c.episodes_n2, c.mean_coc,
       c.km_referrals, c.median_days_to_first_contact
FROM continuity_summary c JOIN p USING (period)
WHERE c.stratum = 'all'
ORDER BY c.scheme_id, c.period
