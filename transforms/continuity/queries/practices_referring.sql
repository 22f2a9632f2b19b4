-- The share of a scheme's practices that referred in each period.
-- The denominator (the scheme's practices) is the list configured for it; for a scheme
-- without one, the practices that referred to it at any time in the data, which cannot
-- count practices that never referred. ALL uses the union of the schemes' denominators.
WITH refs AS (
    SELECT DISTINCT scheme_id, period, upper(trim(practice_code)) AS practice_code
    FROM episode_metrics
),
configured AS (
    SELECT DISTINCT scheme_id, upper(trim(practice_code)) AS practice_code FROM cfg_scheme_practices
),
catchment AS (
    SELECT scheme_id, practice_code, 'configured' AS basis FROM configured
    UNION
    SELECT DISTINCT scheme_id, practice_code, 'referred_any_period'
    FROM refs
    WHERE scheme_id NOT IN (SELECT scheme_id FROM configured)
),
cells AS (
    SELECT DISTINCT scheme_id, period FROM refs
    UNION SELECT DISTINCT scheme_id, 'all' FROM refs
    UNION SELECT DISTINCT 'ALL', period FROM refs
    UNION SELECT 'ALL', 'all' FROM refs
),
referring AS (
    SELECT scheme_id, period, practice_code FROM refs
    UNION SELECT scheme_id, 'all', practice_code FROM refs
    UNION SELECT 'ALL', period, practice_code FROM refs
    UNION SELECT 'ALL', 'all', practice_code FROM refs
),
catchment_all AS (
    SELECT scheme_id, practice_code, basis FROM catchment
    UNION
    SELECT 'ALL', practice_code, NULL FROM catchment
)
SELECT
    c.scheme_id,
    c.period,
    count(DISTINCT k.practice_code) FILTER (WHERE r.practice_code IS NOT NULL) AS referring,
    count(DISTINCT k.practice_code) AS practices,
    CASE WHEN c.scheme_id = 'ALL' THEN
        CASE WHEN (SELECT count(DISTINCT basis) FROM catchment) > 1 THEN 'mixed'
             ELSE (SELECT min(basis) FROM catchment) END
    ELSE min(k.basis) END AS basis
FROM cells c
JOIN catchment_all k ON k.scheme_id = c.scheme_id
LEFT JOIN referring r ON r.scheme_id = c.scheme_id AND r.period = c.period AND r.practice_code = k.practice_code
GROUP BY c.scheme_id, c.period
ORDER BY c.scheme_id, c.period
