-- The staged rows that broke no rule; set_bad is read only when it has rows.
-- Filled in: SetBad, whether it has.
CREATE OR REPLACE TEMP VIEW good AS
SELECT * FROM stg s
WHERE s._bad IS NULL{{if .SetBad}}
    AND NOT EXISTS (SELECT 1 FROM set_bad b WHERE b._line = s._line){{end}}
