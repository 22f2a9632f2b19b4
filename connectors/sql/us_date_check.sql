-- The first staged record whose bad date parses with day and month swapped, as
-- (line, column, value), or no row (USDateCheckSQL).
-- Filled in: Reason, Column and Value, the parts of _bad (BadFields); BadDate, the reason
-- as a literal; Swapped, column val parsed under the swapped formats.
-- The bad dates are taken apart once, in a materialized CTE: Swapped names the value many
-- times, and written out in place of val each copy repeated _bad's parsing, which made
-- planning the query cost several times more than running it.
WITH bad AS MATERIALIZED (
    SELECT _line, {{.Column}} AS col, {{.Value}} AS val FROM stg WHERE {{.Reason}} = {{.BadDate}}
)
SELECT _line, col, val FROM bad WHERE {{.Swapped}} IS NOT NULL ORDER BY _line LIMIT 1
