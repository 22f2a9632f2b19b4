-- The rows of the extract dates a file holds, replaced by it (a republished file).
DELETE FROM population
WHERE extract_date IN (SELECT DISTINCT extract_date FROM stg_pop WHERE extract_date IS NOT NULL)
