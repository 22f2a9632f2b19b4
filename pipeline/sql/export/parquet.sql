-- A table written to a Parquet file, with socrx's notice, the run and the table in its
-- metadata. Filled in: Table (quoted), Path, Notice, RunID, TableName (literals).
COPY (SELECT * FROM {{.Table}}) TO {{.Path}} (FORMAT parquet, COMPRESSION zstd,
    KV_METADATA {socrx_notice: {{.Notice}}, socrx_run_id: {{.RunID}}, socrx_table: {{.TableName}}})
