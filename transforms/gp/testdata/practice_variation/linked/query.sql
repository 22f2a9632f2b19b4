-- The linkage measures of practice A81001.
SELECT scheme_id, period, practice_code, measure, numerator, denominator, value
FROM practice_variation
WHERE measure IN ('gp_coding_completeness', 'gp_lost_between_sectors')
ORDER BY ALL
