-- Rows quarantined by source and reason (never the offending values).
SELECT coalesce(source, '') AS source, coalesce(reason, '') AS reason, count(*) AS n
FROM quarantine
GROUP BY ALL
ORDER BY source, reason
