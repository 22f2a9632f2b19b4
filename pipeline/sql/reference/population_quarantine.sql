-- The population rows without an extract date, a practice or a count of 0 or more.
-- Parameters: run_id, file_id, source, file.
INSERT INTO quarantine (run_id, file_id, source, file, line, "column", value, reason)
SELECT ?, ?, ?, ?, _line,
    CASE WHEN extract_date IS NULL THEN 'EXTRACT_DATE' WHEN practice_code IS NULL OR practice_code = '' THEN 'PRACTICE_CODE' ELSE 'NUMBER_OF_PATIENTS' END,
    CASE WHEN extract_date IS NULL THEN r_date WHEN practice_code IS NULL OR practice_code = '' THEN NULL ELSE r_count END,
    CASE WHEN extract_date IS NULL THEN 'bad_date' WHEN practice_code IS NULL OR practice_code = '' THEN 'missing_value' ELSE 'bad_count' END
FROM stg_pop
WHERE extract_date IS NULL OR practice_code IS NULL OR practice_code = '' OR patients IS NULL OR patients < 0
ORDER BY _line
