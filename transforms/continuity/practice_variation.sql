-- kind: table
-- reads: int_practice_variation, int_gp_practice, int_practice_funnel
-- Practice variation (design §5, §12, general-practice axis): int_practice_variation's
-- counts, and the GP record's (int_gp_practice), per scheme (and ALL) × period (and all)
-- × practice × measure, with the funnel limits, baseline, outlier flag and significance
-- int_practice_funnel computed around each scheme × period average. The flag is decided here once, on the unrounded values.
SELECT
    v.* REPLACE (f.lower95 AS lower95, f.upper95 AS upper95, f.lower998 AS lower998, f.upper998 AS upper998,
        f.outlier AS outlier, f.baseline AS baseline, f.significance AS significance)
FROM (SELECT * FROM int_practice_variation UNION ALL BY NAME SELECT * FROM int_gp_practice) v
LEFT JOIN int_practice_funnel f USING (scheme_id, period, practice_code, measure)
ORDER BY v.scheme_id, v.period, v.measure, v.practice_code
