-- The first staged record whose bad date parses with day and month swapped, as
-- (line, column, value), or no row (USDateCheckSQL).
-- Filled in: Reason, Column and Value, the parts of _bad (BadFields); BadDate, the reason
-- as a literal; Swapped, the value parsed under the swapped formats.
SELECT _line, {{.Column}}, {{.Value}} FROM stg
WHERE {{.Reason}} = {{.BadDate}} AND {{.Swapped}} IS NOT NULL ORDER BY _line LIMIT 1
