-- reads: referrals, population, int_equity_catchments, deprivation
-- Registered population by scheme catchment × period × practice × LSOA, the reach denominator
-- (design §3.4): the population extract whose EXTRACT_DATE is nearest the period's
-- mid-point (ties to the later extract), SEX = ALL rows or MALE + FEMALE where a practice's
-- extract has no ALL rows, summed over the catchment's practices. Each LSOA carries the
-- configured edition's rank, decile and quintile; LSOAs the edition lacks (another
-- vintage, CLOSED = unallocated) keep NULL deprivation and are counted as unmatched. A
-- catchment practice missing from the extract has no rows, and its referrals are left out
-- of the reach numerator too, so numerator and denominator cover the same practices.
WITH bounds AS (
    SELECT
        period_key(d) AS period,
        min(period_start(d)) AS p_start
    FROM (SELECT DISTINCT referral_date AS d FROM referrals WHERE referral_date IS NOT NULL)
    GROUP BY 1
),
spans AS (
    SELECT
        period,
        p_start,
        period_end(p_start) AS p_end
    FROM bounds
),
mids AS (
    SELECT period, p_start + CAST((p_end - p_start) // 2 AS INTEGER) AS mid FROM spans
    UNION ALL
    SELECT 'all', min(p_start) + CAST((max(p_end) - min(p_start)) // 2 AS INTEGER) FROM spans HAVING count(*) > 0
),
pop AS (
    SELECT
        extract_date,
        upper(trim(practice_code)) AS practice_code,
        upper(trim(lsoa_code)) AS lsoa_code,
        upper(trim(sex)) AS sex,
        patients
    FROM population
    WHERE patients IS NOT NULL
),
has_all AS (
    SELECT extract_date, practice_code, bool_or(sex = 'ALL') AS has_all
    FROM pop
    GROUP BY ALL
),
registered AS (
    SELECT p.extract_date, p.practice_code, p.lsoa_code, sum(p.patients) AS patients
    FROM pop p
    JOIN has_all h USING (extract_date, practice_code)
    WHERE (h.has_all AND p.sex = 'ALL') OR (NOT h.has_all AND p.sex IN ('MALE', 'FEMALE'))
    GROUP BY ALL
),
nearest AS (
    SELECT m.period, x.extract_date
    FROM mids m
    CROSS JOIN (SELECT DISTINCT extract_date FROM registered) x
    QUALIFY row_number() OVER (PARTITION BY m.period ORDER BY abs(x.extract_date - m.mid), x.extract_date DESC) = 1
),
catchment_pop AS (
    SELECT c.scheme_id, c.period, n.extract_date, c.practice_code, r.lsoa_code, r.patients
    FROM int_equity_catchments c
    JOIN nearest n USING (period)
    JOIN registered r ON r.extract_date = n.extract_date AND r.practice_code = c.practice_code
)
SELECT
    p.scheme_id,
    p.period,
    p.extract_date,
    p.practice_code,
    p.lsoa_code,
    CAST(p.patients AS BIGINT) AS patients,
    d.imd_rank,
    d.imd_decile,
    d.imd_quintile
FROM catchment_pop p
LEFT JOIN deprivation d ON d.edition = getvariable('edition') AND d.lsoa_code = p.lsoa_code
