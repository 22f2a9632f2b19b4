-- Days to first link-worker contact as time-to-event counts per day, per scheme and ALL,
-- for $period or, when it is empty, for every period (reports.preload).
SELECT period, coalesce(scheme_id, 'ALL') AS scheme_id, days_to_first_contact AS day,
       count(*) FILTER (WHERE first_contact_event) AS events,
       count(*) FILTER (WHERE NOT first_contact_event) AS censored
FROM episode_metrics
WHERE ($period = '' OR period = $period) AND first_contact_event IS NOT NULL AND days_to_first_contact >= 0
GROUP BY GROUPING SETS ((period, scheme_id, days_to_first_contact), (period, days_to_first_contact))
ORDER BY period, scheme_id, day
