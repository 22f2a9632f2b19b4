-- Every pair's change and the gradient across deprivation, per scheme × period × measure,
-- for the outcome signals.
SELECT c.scheme_id, c.period, c.measure, c.polarity, c.pairs, c.baseline_mean, c.mean_change,
    c.mean_change_lower, c.mean_change_upper, s.verdict, s.sii, s.sii_lower, s.sii_upper
FROM outcome_change c
JOIN outcome_summary s USING (scheme_id, period, measure)
WHERE c.dimension = 'all'
ORDER BY c.scheme_id, c.period, c.measure
