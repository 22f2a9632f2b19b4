-- The practice funnels summarised per scheme × period × measure, counting the
-- one flag int_practice_funnel decided on the unrounded counts. Reports do not republish
-- this count or its reading (which names every flagged practice, for researchers inside
-- the secure environment): they compose it from the flags their tables publish
-- (reports/practice.go, design §5).
SELECT scheme_id, period, measure,
    count(*) FILTER (WHERE lower998 IS NOT NULL) AS plotted,
    count(*) FILTER (WHERE outlier) AS outliers,
    list(practice_code ORDER BY practice_code) FILTER (WHERE outlier AND value > upper998) AS high,
    list(practice_code ORDER BY practice_code) FILTER (WHERE outlier AND value < lower998) AS low,
    any_value(baseline) AS baseline
FROM practice_variation
GROUP BY scheme_id, period, measure
ORDER BY scheme_id, period, measure
