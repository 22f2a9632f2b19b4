-- kind: temp
-- reads: deprivation, lsoa_lookup, referrals, gp_patients
-- Every LSOA code as written in the referrals and in the GP registered list, resolved
-- once to the configured IoD edition: the other LSOA vintage is mapped through the ONS lookup when it gives exactly
-- one code, and lsoa_status says why a code has no deprivation stratum (never silently
-- dropped). A few tens of thousands of rows, which int_referrals joins every referral to.
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
    SELECT lsoa_code FROM referrals
    UNION
    -- the registered list's too, for the GP measures (design §12)
    SELECT lsoa_code FROM gp_patients
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
)
SELECT x.lsoa_code, x.lsoa_edition, x.lsoa_status, d.imd_rank, d.imd_score, d.imd_decile, d.imd_quintile
FROM resolved x LEFT JOIN ed d ON d.lsoa_code = x.lsoa_edition
