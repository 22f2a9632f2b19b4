-- Every quarantined row by reason, commonest first.
SELECT reason, count(*) FROM quarantine GROUP BY 1 ORDER BY 2 DESC, 1
