-- kind: temp
-- reads: episode_metrics, cfg_scheme_practices, int_registered_population, population
-- Practice variation (design §5, general-practice axis): per scheme (and ALL) × period
-- (and all) × practice, the contacted proportion and, when a population file is loaded,
-- the referral rate per 1,000 registered patients (int_registered_population): the counts
-- of practice_variation. The funnel columns (baseline, limits, outlier, significance)
-- are left NULL here: the Go model int_practice_funnel computes them around the scheme ×
-- period average, as PHEindicatormethods calculate_funnel_limits, and
-- practice_variation.sql joins them in.
--
-- The practices shown for a scheme are those that referred to it in the period plus
-- those configured for it (cfg_scheme_practices), so a listed practice that never refers
-- appears with a zero referral rate.
WITH e AS (
    SELECT
        scheme_id AS g_scheme,
        period AS g_period,
        upper(trim(practice_code)) AS g_practice,
        referral_date,
        -- contacted as the equity measure defines it: a first contact within the window,
        -- among referrals old enough for the window to have passed
        referral_date + CAST(getvariable('window_contacted') AS INTEGER) <= getvariable('data_end') AS mature,
        first_contact_event AND days_to_first_contact <= getvariable('window_contacted') AS contacted_in_window
    FROM episode_metrics
),
refs AS (
    SELECT
        CASE WHEN grouping(g_scheme) = 1 THEN 'ALL' ELSE g_scheme END AS scheme_id,
        CASE WHEN grouping(g_period) = 1 THEN 'all' ELSE g_period END AS period,
        g_practice AS practice_code,
        count(*) AS referrals,
        count(*) FILTER (WHERE mature) AS mature_referrals,
        count(*) FILTER (WHERE mature AND contacted_in_window) AS contacted
    FROM e
    GROUP BY GROUPING SETS ((g_scheme, g_period, g_practice), (g_scheme, g_practice), (g_period, g_practice), (g_practice))
),
listed AS (
    SELECT DISTINCT scheme_id, upper(trim(practice_code)) AS practice_code FROM cfg_scheme_practices
    UNION
    SELECT DISTINCT 'ALL', upper(trim(practice_code)) FROM cfg_scheme_practices
),
cells AS (
    SELECT DISTINCT scheme_id, period FROM refs
),
grid AS (
    SELECT c.scheme_id, c.period, l.practice_code FROM cells c JOIN listed l USING (scheme_id)
    UNION
    SELECT scheme_id, period, practice_code FROM refs
),
-- registered patients per practice and period (int_registered_population, the one rule
-- shared with reach)
denominators AS (
    SELECT period, practice_code, sum(patients) AS patients
    FROM int_registered_population
    GROUP BY ALL
),
measures AS (
    SELECT
        g.scheme_id, g.period, g.practice_code,
        'contacted' AS measure,
        coalesce(r.contacted, 0) AS numerator,
        coalesce(r.mature_referrals, 0) AS denominator,
        CAST(r.contacted AS DOUBLE) / nullif(r.mature_referrals, 0) AS value,
        'proportion' AS unit
    FROM grid g
    LEFT JOIN refs r USING (scheme_id, period, practice_code)
    UNION ALL
    SELECT
        g.scheme_id, g.period, g.practice_code,
        'referral_rate',
        coalesce(r.referrals, 0),
        d.patients,
        1000.0 * coalesce(r.referrals, 0) / nullif(d.patients, 0),
        'per 1,000 registered patients'
    FROM grid g
    LEFT JOIN refs r USING (scheme_id, period, practice_code)
    LEFT JOIN denominators d ON d.period = g.period AND d.practice_code = g.practice_code
    WHERE EXISTS (SELECT 1 FROM population)
)
SELECT
    x.scheme_id,
    x.period,
    x.practice_code,
    x.measure,
    CAST(x.numerator AS BIGINT) AS numerator,
    CAST(x.denominator AS BIGINT) AS denominator,
    CAST(x.value AS DOUBLE) AS value,
    -- practice_variation.sql fills in the funnel (int_practice_funnel)
    CAST(NULL AS DOUBLE) AS lower95,
    CAST(NULL AS DOUBLE) AS upper95,
    CAST(NULL AS DOUBLE) AS lower998,
    CAST(NULL AS DOUBLE) AS upper998,
    CAST(NULL AS BOOLEAN) AS outlier,
    CAST(NULL AS DOUBLE) AS baseline,
    CAST(NULL AS VARCHAR) AS significance,
    x.unit,
    l.practice_code IS NOT NULL AS listed
FROM measures x
LEFT JOIN listed l ON l.scheme_id = x.scheme_id AND l.practice_code = x.practice_code
ORDER BY x.scheme_id, x.period, x.measure, x.practice_code
