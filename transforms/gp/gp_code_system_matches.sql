-- kind: macro
-- gp_code_system_matches says whether a GP event's code system fits a codelist code's
-- shape: a codelist row carries no code system, so a SNOMED CT event (the default) matches
-- only a SNOMED-shaped code (6–18 digits), a Read v2 or CTV3 event only one of another
-- shape.
CREATE OR REPLACE TEMP MACRO gp_code_system_matches(code_system, list_code) AS
    (coalesce(CAST(code_system AS VARCHAR), 'snomed') = 'snomed') = regexp_full_match(list_code, '[0-9]{6,18}')
