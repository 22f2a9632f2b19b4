-- Practice variation (funnel plot inputs) for one period. The outlier flag is the mart's,
-- decided once on the unrounded counts (design §5); its side comes from the significance.
SELECT scheme_id, practice_code, measure, numerator, denominator, outlier,
       CASE WHEN outlier THEN starts_with(significance, 'high') END AS outlier_high
FROM practice_variation
WHERE period = $period
ORDER BY scheme_id, measure, practice_code
