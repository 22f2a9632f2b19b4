-- What int_practice_funnel needs of each practice_variation row.
SELECT scheme_id, period, practice_code, measure, numerator, denominator
FROM (SELECT * FROM int_practice_variation UNION ALL BY NAME SELECT * FROM int_gp_practice)
