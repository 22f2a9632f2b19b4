-- A contract file staged (StageSQL): a temp table made straight from the file's reader in
-- one pass, one row per record with every contract column parsed to its type beside its
-- raw text, and _bad, the first row rule the record breaks (BadExpr).
-- Filled in: Table; Columns, the columns the table keeps (with _line unless records are
-- numbered by rowid); Rules, the row rules in order ("WHEN condition THEN broken rule");
-- Parsed, each column parsed and its raw text; Raw, each contract column's raw text from
-- the file (NULL where the file lacks it); Read, the file's reader.
CREATE OR REPLACE TEMP TABLE {{.Table}} AS
SELECT {{join .Columns ", "}},
    CASE {{join .Rules "\n    "}} END AS _bad
FROM (
    SELECT {{join .Parsed ",\n        "}}
    FROM (SELECT {{join .Raw ",\n            "}} FROM {{.Read}})
)
