-- Days to first link-worker contact as time-to-event counts per day, per scheme and ALL.
SELECT coalesce(scheme_id, 'ALL') AS scheme_id, days_to_first_contact AS day,
       count(*) FILTER (WHERE first_contact_event) AS events,
       count(*) FILTER (WHERE NOT first_contact_event) AS censored
FROM episode_metrics
WHERE period = $period AND first_contact_event IS NOT NULL AND days_to_first_contact >= 0
GROUP BY GROUPING SETS ((scheme_id, days_to_first_contact), (days_to_first_contact))
ORDER BY scheme_id, day
