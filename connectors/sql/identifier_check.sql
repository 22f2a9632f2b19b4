-- For each id column of view stg that has any, (column, ten_digit, passing): its distinct
-- ten-digit values (spaces and hyphens removed) and how many pass the NHS modulus 11 check
-- (IdentifierCheckSQL). Each column is scanned on its own, and only values that could
-- hold ten digits reach the regular expressions.
-- Filled in: Columns, each with Name (a literal) and ID (quoted); Valid, the check on v.
SELECT col, count(*), count(*) FILTER (WHERE {{.Valid}})
FROM (
    {{range $i, $c := .Columns}}{{if $i}}
    UNION ALL
    {{end}}SELECT DISTINCT {{$c.Name}} AS col, regexp_replace({{$c.ID}}, '[ -]', '', 'g') AS v FROM stg
    WHERE strlen({{$c.ID}}) >= 10 AND {{$c.ID}}[1] IN ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-'){{end}}
) WHERE regexp_full_match(v, '[0-9]{10}') GROUP BY col
