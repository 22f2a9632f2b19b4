-- kind: temp
-- reads: int_gp_referral_attrs, gp_registered, int_gp_periods, int_gp_completeness, int_gp_lost, cfg_scheme_practices
-- The GP measures per practice (design §12) in int_practice_variation's shape, for
-- practice_variation and its funnels: per scheme (ALL and each listing scheme; for
-- coding completeness, the platform referral's scheme) × period (and all) × practice,
--   gp_referral_rate         coded referrals per 1,000 registered at the mid-point
--                            (complete periods, int_gp_periods);
--   gp_coding_completeness   mature platform GP referrals with a referral code in the GP
--                            record within ±30 days / mature platform GP referrals;
--   gp_lost_between_sectors  mature GP-coded referrals not seen by the platform within 60
--                            days / mature GP-coded referrals.
-- The last two only when gp.linked is set (their inputs are empty otherwise).
WITH rate_num AS (
    SELECT scheme_id, period, practice_code, count(*) AS referrals
    FROM int_gp_referral_attrs
    WHERE period IN (SELECT period FROM int_gp_periods)
    GROUP BY GROUPING SETS ((scheme_id, period, practice_code), (scheme_id, practice_code))
),
rate_den AS (
    SELECT scheme_id, period, stratum AS practice_code, patients FROM gp_registered WHERE dimension = 'practice'
),
rate AS (
    SELECT d.scheme_id, d.period, d.practice_code, 'gp_referral_rate' AS measure,
        coalesce(n.referrals, 0) AS numerator, d.patients AS denominator,
        1000.0 * coalesce(n.referrals, 0) / nullif(d.patients, 0) AS value,
        'per 1,000 registered patients' AS unit
    FROM rate_den d
    LEFT JOIN (SELECT scheme_id, coalesce(period, 'all') AS period, practice_code, referrals FROM rate_num) n
        USING (scheme_id, period, practice_code)
),
completeness AS (
    SELECT
        coalesce(scheme_id, 'ALL') AS scheme_id, coalesce(period, 'all') AS period, practice_code,
        'gp_coding_completeness' AS measure,
        count(*) FILTER (WHERE mature AND coded) AS numerator,
        count(*) FILTER (WHERE mature) AS denominator
    FROM int_gp_completeness
    GROUP BY GROUPING SETS ((scheme_id, period, practice_code), (scheme_id, practice_code), (period, practice_code), (practice_code))
),
lost AS (
    SELECT scheme_id, coalesce(period, 'all') AS period, practice_code, 'gp_lost_between_sectors' AS measure,
        count(*) FILTER (WHERE mature AND lost) AS numerator,
        count(*) FILTER (WHERE mature) AS denominator
    FROM int_gp_lost
    GROUP BY GROUPING SETS ((scheme_id, period, practice_code), (scheme_id, practice_code))
),
rows AS (
    SELECT * FROM rate
    UNION ALL BY NAME
    SELECT *, CAST(numerator AS DOUBLE) / nullif(denominator, 0) AS value, 'proportion' AS unit FROM completeness
    UNION ALL BY NAME
    SELECT *, CAST(numerator AS DOUBLE) / nullif(denominator, 0) AS value, 'proportion' AS unit FROM lost
),
listed AS (
    SELECT DISTINCT scheme_id, upper(trim(practice_code)) AS practice_code FROM cfg_scheme_practices
    UNION
    SELECT DISTINCT 'ALL', upper(trim(practice_code)) FROM cfg_scheme_practices
)
SELECT
    x.scheme_id,
    x.period,
    x.practice_code,
    x.measure,
    CAST(x.numerator AS BIGINT) AS numerator,
    CAST(x.denominator AS BIGINT) AS denominator,
    CAST(x.value AS DOUBLE) AS value,
    CAST(NULL AS DOUBLE) AS lower95,
    CAST(NULL AS DOUBLE) AS upper95,
    CAST(NULL AS DOUBLE) AS lower998,
    CAST(NULL AS DOUBLE) AS upper998,
    CAST(NULL AS BOOLEAN) AS outlier,
    CAST(NULL AS DOUBLE) AS baseline,
    CAST(NULL AS VARCHAR) AS significance,
    x.unit,
    l.practice_code IS NOT NULL AS listed
FROM rows x
LEFT JOIN listed l ON l.scheme_id = x.scheme_id AND l.practice_code = x.practice_code
