-- An IoD file's rows (raw_file) parsed: TEMP TABLE stg_dep, with the raw rank and decile
-- kept for quarantine. Filled in: Code, RawRank, RawDecile (the file's columns, quoted),
-- Rank, Decile, Score (their parsing expressions; Score NULL when the file has none).
CREATE OR REPLACE TEMP TABLE stg_dep AS
SELECT _line, upper(trim({{.Code}})) AS lsoa_code, {{.Rank}} AS imd_rank, {{.Decile}} AS imd_decile,
    {{.Score}} AS imd_score, {{.RawRank}} AS r_rank, {{.RawDecile}} AS r_decile
FROM raw_file
