-- Reporting periods present in the marts (the whole span 'all' is not a report period).
SELECT DISTINCT period
FROM episode_metrics
WHERE period IS NOT NULL AND period <> 'all'
ORDER BY period
