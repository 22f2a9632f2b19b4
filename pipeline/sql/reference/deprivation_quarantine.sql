-- The IoD rows without an area code, a rank of 1 or more, or a decile of 1 to 10.
-- Parameters: run_id, file_id, source, file.
INSERT INTO quarantine (run_id, file_id, source, file, line, "column", value, reason)
SELECT ?, ?, ?, ?, _line,
    CASE WHEN lsoa_code IS NULL OR lsoa_code = '' THEN 'lsoa_code' WHEN imd_rank IS NULL OR imd_rank < 1 THEN 'imd_rank' ELSE 'imd_decile' END,
    CASE WHEN lsoa_code IS NULL OR lsoa_code = '' THEN NULL WHEN imd_rank IS NULL OR imd_rank < 1 THEN r_rank ELSE r_decile END,
    'bad_deprivation_value'
FROM stg_dep
WHERE lsoa_code IS NULL OR lsoa_code = '' OR imd_rank IS NULL OR imd_rank < 1
    OR imd_decile NOT BETWEEN 1 AND 10 OR imd_decile IS NULL
ORDER BY _line
