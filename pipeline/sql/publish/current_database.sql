-- The working database's catalog name and file ('' in memory).
SELECT database_name, coalesce(path, '') FROM duckdb_databases()
WHERE database_name = current_database()
