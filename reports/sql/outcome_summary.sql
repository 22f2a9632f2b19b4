-- The gradient of wellbeing change across deprivation and the continuity contrast, for
-- one period (design §11).
SELECT scheme_id, measure, pairs, sii, sii_lower, sii_upper, verdict, verdict_reason,
    continuity_difference, continuity_difference_lower, continuity_difference_upper
FROM outcome_summary
WHERE period = $period
ORDER BY scheme_id, measure
