package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/socrx/socrx/pipeline"
)

func cmdExport(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "export", "export [--config FILE] [--db FILE] [--tables a,b] --format parquet|arrow --out DIR")
	dbPath := fs.String("db", "", "database file (default: the published snapshot)")
	tables := fs.String("tables", "", "comma-separated tables (default: every table)")
	format := fs.String("format", "parquet", "parquet or arrow (Arrow IPC file)")
	out := fs.String("out", "", "output directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"--out is required"}
	}
	if *format != "parquet" && *format != "arrow" {
		return usageError{fmt.Sprintf("--format %q: want parquet or arrow", *format)}
	}
	db, err := c.openReader(ctx, *dbPath, false)
	if err != nil {
		return err
	}
	defer db.Close()
	var list []string
	if *tables != "" {
		for _, t := range strings.Split(*tables, ",") {
			list = append(list, strings.TrimSpace(t))
		}
	} else {
		rows, err := db.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database() ORDER BY 1`)
		if err != nil {
			return fmt.Errorf("listing tables: %w", err)
		}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return err
			}
			list = append(list, t)
		}
		rows.Close()
	}
	var runID int64
	_ = db.QueryRowContext(ctx, `SELECT run_id FROM snapshot_info`).Scan(&runID)
	res, err := pipeline.Export(ctx, db, list, *format, *out, runID)
	for _, r := range res {
		fmt.Fprintf(e.stdout, "%-22s %10d rows  %s\n", r.Table, r.Rows, r.Path)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "These files are UNSUPPRESSED (no disclosure control): keep them in the secure environment.")
	return nil
}
