-- kind: temp
-- reads: gp_events
-- The periods of the GP rates (design §12): every complete period (its last day on or
-- before data_end) from the first GP event's, with its mid-point, at which the registered
-- list is counted; and 'all', the span of those periods, counted at its own mid-point. A
-- period still running would set a part-period's referrals against a whole list.
WITH bounds AS (
    SELECT min(event_date) AS first_day, CAST(getvariable('data_end') AS DATE) AS last_day FROM gp_events
),
months AS (
    SELECT CAST(m AS DATE) AS d
    FROM bounds, range(CAST(date_trunc('month', first_day) AS TIMESTAMP), CAST(last_day AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 MONTH) t(m)
    WHERE first_day IS NOT NULL
),
complete AS (
    SELECT DISTINCT period_key(d) AS period, period_start(d) AS p_start, period_end(d) AS p_end
    FROM months
    WHERE period_end(d) <= getvariable('data_end')
)
SELECT period, p_start, p_end, p_start + CAST((p_end - p_start) // 2 AS INTEGER) AS mid FROM complete
UNION ALL
SELECT 'all', min(p_start), max(p_end), min(p_start) + CAST((max(p_end) - min(p_start)) // 2 AS INTEGER)
FROM complete
HAVING count(*) > 0
