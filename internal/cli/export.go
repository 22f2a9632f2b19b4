package cli

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/socrx/socrx/pipeline"
)

func exportCommand() command {
	return command{
		name:    "export",
		summary: "unsuppressed Parquet/Arrow exports for the secure environment",
		usage:   "export [--config FILE] [--db FILE] [--tables a,b] --format parquet|arrow --out DIR",
		run:     cmdExport,
	}
}

func cmdExport(ctx context.Context, e *env, args []string) error {
	flags, c := e.newFlags()
	dbPath := flags.String("db", "", "database file (default: the published snapshot)")
	tables := flags.String("tables", "", "comma-separated tables (default: every table)")
	format := flags.String("format", "parquet", "parquet or arrow (Arrow IPC file)")
	out := flags.String("out", "", "output directory")
	if err := e.parse(flags, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out is required")
	}
	if *format != "parquet" && *format != "arrow" {
		return usagef("--format %q: want parquet or arrow", *format)
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
	} else if list, err = allTables(ctx, db); err != nil {
		return err
	}
	// The run id is metadata only: a working database (--db) has no snapshot_info, and
	// its export says run 0.
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

// allTables lists the database's tables, for an export without --tables.
func allTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database() ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("listing tables: %w", err)
		}
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	return list, nil
}
