-- FUN's practices in 2024-Q1; the referral rates' exact Poisson limits are left to
-- stats' tests (no closed form to work by hand).
SELECT
    practice_code, measure, numerator, denominator, value, baseline,
    CASE WHEN measure = 'contacted' THEN lower95 END AS lower95,
    CASE WHEN measure = 'contacted' THEN upper95 END AS upper95,
    CASE WHEN measure = 'contacted' THEN lower998 END AS lower998,
    CASE WHEN measure = 'contacted' THEN upper998 END AS upper998,
    outlier, significance, listed
FROM practice_variation
WHERE scheme_id = 'FUN' AND period = '2024-Q1'
