-- Whether the database has a (persistent) table of this name.
-- Parameters: table name.
SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary
