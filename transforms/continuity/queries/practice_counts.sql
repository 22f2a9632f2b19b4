-- What int_practice_funnel needs of each practice_variation row.
SELECT scheme_id, period, practice_code, measure, numerator, denominator
FROM int_practice_variation
