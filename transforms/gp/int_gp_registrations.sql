-- kind: view
-- reads: gp_patients, int_lsoa_resolved, codelist_codes
-- The registered list as the GP measures stratify it (design §3.7, §12): one row per
-- registration with its practice, deprivation from the patient's LSOA only (NULL strata
-- when it has none; lsoa_status says why), sex, the first day of the birth month (age is
-- counted in whole months: the day is not recorded) or the age as given, and the ethnic
-- group from the category as given, else from ethnicity_code through the `ethnicity`
-- codelist. Stored as gp_registrations (gp_registered.go), which the GP models read.
-- Range joins on the registration dates read an open registration as ending on
-- 9999-12-31 (a comparison, not an OR: DuckDB runs an OR in an outer join's condition as a
-- nested loop over every pair of rows).
WITH ethnicity_map AS (
    SELECT code, min(category) AS category
    FROM codelist_codes
    WHERE role = 'ethnicity' AND category IS NOT NULL
    GROUP BY code
)
SELECT
    p.person_id,
    upper(trim(p.practice_code)) AS practice_code,
    p.registered_from,
    p.registered_to,
    r.imd_rank,
    r.imd_decile,
    r.imd_quintile,
    r.lsoa_status,
    sex_group(CAST(p.sex AS VARCHAR)) AS sex,
    p.age,
    CAST(strptime(p.birth_month || '-01', '%Y-%m-%d') AS DATE) AS born,
    ethnic_group(coalesce(CAST(p.ethnic_category AS VARCHAR), e.category)) AS ethnic_group,
    -- the person's registrations on the list: readers look at the few with more than one
    -- one by one (the rest match at most one registration)
    count(*) OVER (PARTITION BY p.person_id) AS person_registrations
FROM gp_patients p
LEFT JOIN int_lsoa_resolved r ON r.lsoa_code IS NOT DISTINCT FROM p.lsoa_code
LEFT JOIN ethnicity_map e ON e.code = trim(p.ethnicity_code)
