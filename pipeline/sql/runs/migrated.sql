-- Whether the database has its tables (a first run may have failed before migrating).
SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'runs'
