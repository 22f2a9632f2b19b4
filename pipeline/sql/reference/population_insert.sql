-- The good population rows, one per extract date, practice and area: SEX = ALL rows, or
-- where an extract date has none, MALE and FEMALE summed.
-- Parameters: file_id.
INSERT INTO population
WITH good AS (
    SELECT * FROM stg_pop WHERE extract_date IS NOT NULL AND practice_code <> '' AND patients >= 0
),
has_all AS (SELECT DISTINCT extract_date FROM good WHERE sex = 'ALL')
SELECT extract_date, practice_code, any_value(practice_name), coalesce(lsoa_code, 'CLOSED'),
    CASE WHEN extract_date IN (SELECT extract_date FROM has_all) THEN 'ALL' ELSE 'MALE+FEMALE' END, sum(patients), ?
FROM good
WHERE sex = 'ALL' OR (extract_date NOT IN (SELECT extract_date FROM has_all) AND sex IN ('MALE', 'FEMALE'))
GROUP BY extract_date, practice_code, coalesce(lsoa_code, 'CLOSED'), 5
ORDER BY 1, 2, 4
