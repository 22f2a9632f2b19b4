-- A registered-patients file's rows (raw_file) parsed: TEMP TABLE stg_pop, with the raw
-- date and count kept for quarantine. Filled in: ExtractDate, Patients (parsing
-- expressions), Practice, LSOA, RawDate, RawCount (the file's columns, quoted), Name and Sex
-- (an expression, or a constant when the file lacks the column).
CREATE OR REPLACE TEMP TABLE stg_pop AS
SELECT _line, {{.ExtractDate}} AS extract_date, upper(trim({{.Practice}})) AS practice_code, {{.Name}} AS practice_name,
    upper(trim({{.LSOA}})) AS lsoa_code, {{.Sex}} AS sex, {{.Patients}} AS patients,
    {{.RawDate}} AS r_date, {{.RawCount}} AS r_count
FROM raw_file
