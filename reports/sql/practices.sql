-- Practice variation (funnel plot inputs) for one period.
SELECT scheme_id, practice_code, measure, numerator, denominator
FROM practice_variation
WHERE period = $period
ORDER BY scheme_id, measure, practice_code
