-- Referral-source mix per scheme and ALL (general-practice axis), for $period or, when it
-- is empty, for every period (reports.preload).
SELECT period, coalesce(scheme_id, 'ALL') AS scheme_id, source, count(*) AS n
FROM (SELECT period, scheme_id, coalesce(nullif(referral_source, ''), 'not_recorded') AS source
      FROM episode_metrics WHERE $period = '' OR period = $period)
GROUP BY GROUPING SETS ((period, scheme_id, source), (period, source))
ORDER BY period, scheme_id, source
