-- The staged rows that broke a rule: row rules (_bad in stg) and set rules (set_bad), in
-- file order. Filled in: Reason, Column and Value (the parts of the encoded _bad,
-- connectors.BadFields) and ID (the kind's id column, quoted).
-- Parameters: run_id, file_id, source, file.
INSERT INTO quarantine (run_id, file_id, source, file, line, "column", value, reason, record_id)
SELECT ?, ?, ?, ?, _line, {{.Column}}, {{.Value}}, {{.Reason}}, _id
FROM (
    SELECT _line, _bad, {{.ID}} AS _id FROM stg WHERE _bad IS NOT NULL
    UNION ALL
    SELECT _line, _bad, _id FROM set_bad
)
ORDER BY _line
