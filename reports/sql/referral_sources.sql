-- Referral-source mix per scheme and ALL (general-practice axis).
SELECT coalesce(scheme_id, 'ALL') AS scheme_id, source, count(*) AS n
FROM (SELECT scheme_id, coalesce(nullif(referral_source, ''), 'not_recorded') AS source
      FROM episode_metrics WHERE period = $period)
GROUP BY GROUPING SETS ((scheme_id, source), (source))
ORDER BY scheme_id, source
