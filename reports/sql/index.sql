-- The latest report of every period and scheme, with its run's logical date.
WITH latest AS (
    SELECT period, max(run_id) AS run_id FROM reports_written GROUP BY period
)
SELECT w.period, w.scheme_id, w.run_id, w.html_path, w.xlsx_path, w.csv_dir, r.logical_date
FROM reports_written w
JOIN latest l USING (period, run_id)
LEFT JOIN runs r ON r.run_id = w.run_id
ORDER BY w.period, CASE WHEN w.scheme_id = 'ALL' THEN 0 ELSE 1 END, w.scheme_id
