-- The good IoD rows, with the quintile from the decile.
-- Parameters: edition, lsoa_vintage, file_id.
INSERT INTO deprivation
SELECT ?, lsoa_code, ?, imd_rank, imd_decile, CAST((imd_decile + 1) // 2 AS INTEGER), imd_score, ?
FROM stg_dep
WHERE lsoa_code <> '' AND imd_rank >= 1 AND imd_decile BETWEEN 1 AND 10
ORDER BY _line
