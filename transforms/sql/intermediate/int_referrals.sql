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
map11to21 AS (
    SELECT lsoa11_code AS code, min(lsoa21_code) AS mapped, count(DISTINCT lsoa21_code) AS n
    FROM lsoa_lookup WHERE lsoa21_code IN (SELECT lsoa_code FROM ed) GROUP BY lsoa11_code
),
map21to11 AS (
    SELECT lsoa21_code AS code, min(lsoa11_code) AS mapped, count(DISTINCT lsoa11_code) AS n
    FROM lsoa_lookup WHERE lsoa11_code IN (SELECT lsoa_code FROM ed) GROUP BY lsoa21_code
),
r AS (
    SELECT r.*, upper(trim(r.lsoa_code)) AS lsoa_norm FROM referrals r
),
resolved AS (
    SELECT
        r.*,
        CASE
            WHEN d.lsoa_code IS NOT NULL THEN r.lsoa_norm
            WHEN (SELECT v FROM vintage) = 2021 AND m1.n = 1 THEN m1.mapped
            WHEN (SELECT v FROM vintage) = 2011 AND m2.n = 1 THEN m2.mapped
        END AS lsoa_edition,
        CASE
            WHEN r.lsoa_norm IS NULL OR r.lsoa_norm = '' THEN 'missing'
            WHEN d.lsoa_code IS NOT NULL THEN 'matched'
            WHEN (SELECT v FROM vintage) = 2021 AND m1.n = 1 THEN 'mapped'
            WHEN (SELECT v FROM vintage) = 2011 AND m2.n = 1 THEN 'mapped'
            WHEN r.lsoa_norm[1] IN ('W', 'S', '9') THEN 'not_england'
            WHEN (SELECT v FROM vintage) = 2021 AND m1.n > 1 THEN 'ambiguous_mapping'
            WHEN (SELECT v FROM vintage) = 2011 AND m2.n > 1 THEN 'ambiguous_mapping'
            ELSE 'unknown_code'
        END AS lsoa_status
    FROM r
    LEFT JOIN ed d ON d.lsoa_code = r.lsoa_norm
    LEFT JOIN map11to21 m1 ON m1.code = r.lsoa_norm
    LEFT JOIN map21to11 m2 ON m2.code = r.lsoa_norm
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
    x.lsoa_edition,
    x.lsoa_status,
    d.imd_rank,
    d.imd_score,
    d.imd_decile,
    d.imd_quintile,
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
FROM resolved x
LEFT JOIN ed d ON d.lsoa_code = x.lsoa_edition
