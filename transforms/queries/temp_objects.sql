-- The temp tables and views on this connection, which DropTemp drops.
SELECT 'TABLE', table_name FROM duckdb_tables() WHERE temporary
UNION ALL
SELECT 'VIEW', view_name FROM duckdb_views() WHERE temporary AND NOT internal
