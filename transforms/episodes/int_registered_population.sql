-- kind: view
-- reads: referrals, population, cfg_scheme_practices
-- Registered patients (design §3.4), the one rule behind every population denominator
-- (reach in int_equity_population, the referral rate in practice_variation): per reporting
-- period (and 'all', the whole span) × practice × LSOA, from the population extract whose
-- EXTRACT_DATE is nearest the period's mid-point (ties to the later extract); SEX = ALL
-- rows, or where a practice's extract has none its male and female counts (MALE and
-- FEMALE rows as published, or the MALE+FEMALE sum the loader keeps of them). Every LSOA
-- counts, CLOSED (unallocated) included. The periods are those of the referral dates; only
-- practices that referred or are configured for a scheme are kept, since an extract may
-- cover England. A view: each reader keeps only the practices it needs.
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
practices AS (
    SELECT upper(trim(practice_code)) AS practice_code FROM referrals WHERE practice_code IS NOT NULL
    UNION
    SELECT upper(trim(practice_code)) FROM cfg_scheme_practices WHERE practice_code IS NOT NULL
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
    WHERE practice_code IN (SELECT practice_code FROM practices)
    GROUP BY ALL
),
registered AS (
    SELECT p.extract_date, p.practice_code, p.lsoa_code, sum(p.patients) AS patients
    FROM pop p
    JOIN has_all h USING (extract_date, practice_code)
    WHERE (h.has_all AND p.sex = 'ALL') OR (NOT h.has_all AND p.sex IN ('MALE', 'FEMALE', 'MALE+FEMALE'))
    GROUP BY ALL
),
-- every extract loaded is a candidate, whichever practices it covers
nearest AS (
    SELECT m.period, x.extract_date
    FROM mids m
    CROSS JOIN (SELECT DISTINCT extract_date FROM pop) x
    QUALIFY row_number() OVER (PARTITION BY m.period ORDER BY abs(x.extract_date - m.mid), x.extract_date DESC) = 1
)
SELECT
    n.period,
    n.extract_date,
    r.practice_code,
    r.lsoa_code,
    CAST(r.patients AS BIGINT) AS patients
FROM nearest n
JOIN registered r USING (extract_date)
