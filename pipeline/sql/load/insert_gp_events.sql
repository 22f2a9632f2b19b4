-- The good staged GP events into the core table; a value keeps its decimals (thousands
-- separators dropped), and a code without a code system is SNOMED CT (design §3.6).
-- Parameters: source, file_id.
INSERT INTO gp_events (person_id, practice_code, event_date, code, event_id, value, code_system, event_key,
    source, source_file_id, source_line)
SELECT person_id, practice_code, event_date, code, event_id, TRY_CAST(replace(value, ',', '') AS DOUBLE),
    coalesce(code_system, 'snomed'), event_key, ?, ?, _line
FROM good
