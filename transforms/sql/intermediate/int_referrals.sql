-- One row per referral with everything the marts stratify by: reporting period, the
-- configured IoD edition's decile and quintile (after mapping the other LSOA vintage
-- through the ONS lookup when it gives exactly one code), age band, sex, ethnic group.
-- lsoa_status says why a referral has no deprivation stratum (never silently dropped).
WITH ed AS (
    SELECT lsoa_code, imd_rank, imd_decile, imd_quintile, imd_score, lsoa_vintage
    FROM deprivation
    WHERE edition = getvariable('edition')
),
vintage AS (
    SELECT coalesce(max(lsoa_vintage), CASE getvariable('edition') WHEN 'IoD2025' THEN 2021 ELSE 2011 END) AS v FROM ed
),
-- other-vintage code → the edition's vintage, kept only where the lookup is one-to-one;
-- targets outside the edition (the lookup covers Wales too) are not mappings
lsoa_map AS (
    SELECT lsoa11_code AS code, min(lsoa21_code) AS mapped, count(DISTINCT lsoa21_code) AS n
    FROM lsoa_lookup WHERE (SELECT v FROM vintage) = 2021 AND lsoa21_code IN (SELECT lsoa_code FROM ed) GROUP BY lsoa11_code
    UNION ALL
    SELECT lsoa21_code AS code, min(lsoa11_code) AS mapped, count(DISTINCT lsoa11_code) AS n
    FROM lsoa_lookup WHERE (SELECT v FROM vintage) = 2011 AND lsoa11_code IN (SELECT lsoa_code FROM ed) GROUP BY lsoa21_code
),
-- each distinct LSOA code as written is resolved once, and the referrals join the result
-- once: four joins of every referral cost half as much again
codes AS (
    SELECT DISTINCT lsoa_code FROM referrals
),
resolved AS (
    SELECT c.lsoa_code,
        CASE
            WHEN d.lsoa_code IS NOT NULL THEN c.lsoa_norm
            WHEN m.n = 1 THEN m.mapped
        END AS lsoa_edition,
        CASE
            WHEN c.lsoa_norm IS NULL OR c.lsoa_norm = '' THEN 'missing'
            WHEN d.lsoa_code IS NOT NULL THEN 'matched'
            WHEN m.n = 1 THEN 'mapped'
            WHEN c.lsoa_norm[1] IN ('W', 'S', '9') THEN 'not_england'
            WHEN m.n > 1 THEN 'ambiguous_mapping'
            ELSE 'unknown_code'
        END AS lsoa_status
    FROM (SELECT lsoa_code, upper(trim(lsoa_code)) AS lsoa_norm FROM codes) c
    LEFT JOIN ed d ON d.lsoa_code = c.lsoa_norm
    LEFT JOIN lsoa_map m ON m.code = c.lsoa_norm
),
placed AS (
    SELECT x.lsoa_code, x.lsoa_edition, x.lsoa_status, d.imd_rank, d.imd_score, d.imd_decile, d.imd_quintile
    FROM resolved x LEFT JOIN ed d ON d.lsoa_code = x.lsoa_edition
)
SELECT
    x.referral_id,
    x.person_id,
    x.scheme_id,
    x.practice_code,
    x.referral_date,
    period_key(x.referral_date) AS period,
    x.referral_source,
    x.outcome,
    x.closed_date,
    x.lsoa_code,
    p.lsoa_edition,
    p.lsoa_status,
    p.imd_rank,
    p.imd_score,
    p.imd_decile,
    p.imd_quintile,
    x.sex,
    x.age,
    CASE
        WHEN x.age IS NULL THEN 'unknown'
        WHEN x.age < 18 THEN '0-17'
        WHEN x.age < 25 THEN '18-24'
        WHEN x.age < 35 THEN '25-34'
        WHEN x.age < 45 THEN '35-44'
        WHEN x.age < 55 THEN '45-54'
        WHEN x.age < 65 THEN '55-64'
        WHEN x.age < 75 THEN '65-74'
        WHEN x.age < 85 THEN '75-84'
        ELSE '85+'
    END AS age_band,
    x.ethnic_category,
    -- NHS ethnic category → the 5+1 groups
    CASE
        WHEN x.ethnic_category IN ('A', 'B', 'C') THEN 'white'
        WHEN x.ethnic_category IN ('D', 'E', 'F', 'G') THEN 'mixed'
        WHEN x.ethnic_category IN ('H', 'J', 'K', 'L') THEN 'asian'
        WHEN x.ethnic_category IN ('M', 'N', 'P') THEN 'black'
        WHEN x.ethnic_category IN ('R', 'S') THEN 'other'
        ELSE 'not_stated'
    END AS ethnic_group
FROM referrals x
-- every referral finds its code's row, a missing code (NULL) included
LEFT JOIN placed p ON p.lsoa_code IS NOT DISTINCT FROM x.lsoa_code
