-- The comments the database's tables and columns have, by table or table.column.
SELECT table_name, comment FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main' AND comment IS NOT NULL
UNION ALL
SELECT table_name || '.' || column_name, comment FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND comment IS NOT NULL
