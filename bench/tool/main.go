// Command tool is the benchmark script's helper (see bench/run.sh): the bare DuckDB
// baselines of socrx's reads and aggregates, and the hold-out of one day of extracts for
// the nightly incremental run.
//
//	go run ./bench/tool baseline EXTRACTS_DIR DB_FILE
//	go run ./bench/tool replay DB_FILE TRACE_FILE
//	go run ./bench/tool holdout EXTRACTS_DIR YYYY-MM-DD
package main

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/socrx/socrx/connectors/refdata"
	"github.com/socrx/socrx/pipeline"
)

//go:embed baseline.sql
var baselineSQL string

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench tool:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) != 3 {
		return fmt.Errorf("usage: tool baseline EXTRACTS_DIR DB_FILE | tool replay DB_FILE TRACE_FILE | tool holdout EXTRACTS_DIR YYYY-MM-DD")
	}
	switch args[0] {
	case "baseline":
		return baseline(ctx, args[1], args[2])
	case "replay":
		return replay(ctx, args[1], args[2])
	case "holdout":
		return holdout(ctx, args[1], args[2])
	}
	return fmt.Errorf("unknown subcommand %q", args[0])
}

// baseline runs bench/baseline.sql: the same files read with DuckDB's reader and explicit
// types, then the aggregates behind socrx's main marts, with no validation, quarantine,
// transaction or report. Each statement's time goes to stdout.
func baseline(ctx context.Context, dir, dbPath string) error {
	work := filepath.Join(filepath.Dir(dbPath), ".bench-refdata")
	imd, err := refdata.Materialize(work, "imd2019_lsoa11.csv")
	if err != nil {
		return err
	}
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "SET memory_limit = '1GB'"); err != nil {
		return err
	}
	q := strings.NewReplacer("{{dir}}", dir, "{{imd}}", imd).Replace(baselineSQL)
	phase, phases, spent := "", []string{}, map[string]float64{}
	for _, stmt := range strings.Split(q, ";\n") {
		stmt = strings.TrimSpace(stmt)
		for _, l := range strings.Split(stmt, "\n") {
			if p, ok := strings.CutPrefix(l, "-- phase: "); ok {
				phase = strings.TrimSpace(p)
				phases = append(phases, phase)
			}
		}
		if stmt == "" || strings.HasPrefix(stmt, "--") && !strings.Contains(stmt, "\n") {
			continue
		}
		start := time.Now()
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w\n%s", err, stmt)
		}
		d := time.Since(start).Seconds()
		spent[phase] += d
		fmt.Printf("%6.2fs  %s\n", d, firstLine(stmt))
	}
	// read by bench/run.sh
	for _, p := range phases {
		fmt.Printf("phase\t%s\t%.2f\n", p, spent[p])
	}
	return nil
}

// replay runs a transform's SQL trace (socrx transform --trace-sql) on a copy of the
// database as it was before that transform: the same statements, hence the same
// aggregates, run by DuckDB with none of socrx around them (no run record, lock, Go
// statistics or progress), under the same default memory limit.
func replay(ctx context.Context, dbPath, tracePath string) error {
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "SET memory_limit = '1GB'"); err != nil {
		return err
	}
	f, err := os.Open(tracePath)
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	n, err := pipeline.ReplayTrace(ctx, db, f)
	if err != nil {
		return err
	}
	fmt.Printf("%6.2fs  %d statements replayed\n", time.Since(start).Seconds(), n)
	return nil
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			return l
		}
	}
	return s
}

// holdout moves the rows dated day out of referrals.csv and attendances.csv (and
// outcomes.csv and gp_events.csv, when the extracts have them) into referrals_next.csv,
// … : tonight's extract for the nightly run. The GP registered list is replaced whole
// each night, so it stays.
func holdout(ctx context.Context, dir, day string) error {
	d, err := time.Parse("2006-01-02", day)
	if err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	for _, f := range []struct{ name, col string }{{"referrals", "referral_date"}, {"attendances", "attendance_date"},
		{"outcomes", "assessed_on"}, {"gp_events", "event_date"}} {
		in := filepath.Join(dir, f.name+".csv")
		optional := f.name == "outcomes" || f.name == "gp_events"
		if _, err := os.Stat(in); optional && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		read := fmt.Sprintf("read_csv('%s', header = true, all_varchar = true)", in)
		when := fmt.Sprintf("%s = '%s'", f.col, d.Format("02/01/2006"))
		for _, s := range []string{
			fmt.Sprintf("COPY (SELECT * FROM %s WHERE %s) TO '%s' (HEADER)", read, when, filepath.Join(dir, f.name+"_next.csv")),
			fmt.Sprintf("COPY (SELECT * FROM %s WHERE NOT (%s)) TO '%s' (HEADER)", read, when, in+".tmp"),
		} {
			if _, err := db.ExecContext(ctx, s); err != nil {
				return err
			}
		}
		if err := os.Rename(in+".tmp", in); err != nil {
			return err
		}
	}
	return nil
}
