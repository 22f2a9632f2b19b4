package cli

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/socrx/socrx/pipeline"
	"github.com/socrx/socrx/reports"
)

// runSteps are the steps of a full run: every step this build has.
func runSteps() []string { return []string{"ingest", "transform", "report", "publish"} }

func cmdRun(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "run", "run [--config FILE] [--logical-date DATE] [--full] [--steps LIST]")
	logical := fs.String("logical-date", "", "the run's logical date (default now)")
	full := fs.Bool("full", false, "recompute every referral's facts, not only those with new rows")
	only := fs.String("steps", "", "run only these steps, comma-separated, as a scheduled job would (e.g. ingest,transform,publish); they run in the usual order")
	if err := parse(fs, args); err != nil {
		return err
	}
	steps, err := stepList(*only)
	if err != nil {
		return err
	}
	return runSteps2(ctx, e, c, *logical, pipeline.RunSpec{Job: "run", Steps: steps, FullRebuild: *full})
}

// stepList parses --steps: every step when empty.
func stepList(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return runSteps(), nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(runSteps(), p) {
			return nil, usageError{fmt.Sprintf("--steps: unknown step %q (want %s)", p, strings.Join(runSteps(), ", "))}
		}
		out = append(out, p)
	}
	return out, nil
}

// stepCommand is a manual run of one step.
func stepCommand(step string) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		line := step + " [--config FILE] [--logical-date DATE]"
		switch step {
		case "report":
			line = "report [--config FILE] [--period P] [--logical-date DATE]"
		case "transform":
			line = "transform [--config FILE] [--logical-date DATE] [--full] [--trace-sql FILE]"
		case "ingest":
			line = "ingest [--config FILE] [--logical-date DATE] [--reload SOURCE|FILE]..."
		}
		fs, c := newFlags(e, step, line)
		logical := fs.String("logical-date", "", "the run's logical date (default now)")
		spec := pipeline.RunSpec{Job: step, Steps: []string{step}}
		switch step {
		case "report":
			fs.StringVar(&spec.Period, "period", "", "report this period (e.g. 2024-Q3) instead of every due one")
		case "transform":
			fs.BoolVar(&spec.FullRebuild, "full", false, "recompute every referral's facts, not only those with new rows")
			fs.StringVar(&spec.TraceSQL, "trace-sql", "", "write every statement the transform runs to FILE, one JSON line each (holds unsuppressed aggregates)")
		case "ingest":
			fs.Func("reload", "read again a source (by name, as status shows it: referrals[0]) or a file (with every later file of its source), though loaded before; repeatable", func(v string) error {
				spec.Reload = append(spec.Reload, v)
				return nil
			})
		}
		if err := parse(fs, args); err != nil {
			return err
		}
		return runSteps2(ctx, e, c, *logical, spec)
	}
}

// runSteps2 runs spec's steps as a manual run at the logical date. Every argument is
// checked before the run exists: a typo exits 2 and records nothing.
func runSteps2(ctx context.Context, e *env, c *common, logical string, spec pipeline.RunSpec) error {
	t, err := parseLogical(logical)
	if err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	if spec.Period != "" {
		if err := checkPeriod(cfg.Period, spec.Period); err != nil {
			return err
		}
	}
	for _, target := range spec.Reload {
		if !pipeline.ReloadTarget(cfg, target) {
			return usageError{fmt.Sprintf("--reload %q: not a source name (%s) nor a file of a source", target, strings.Join(pipeline.SourceNames(cfg), ", "))}
		}
	}
	r := &pipeline.Runner{Cfg: cfg, Log: c.logger(e), Version: e.version, Progress: c.progress(e)}
	spec.Trigger, spec.Logical = pipeline.TriggerManual, t
	rec, err := r.Run(ctx, spec)
	if err != nil {
		return err
	}
	printRunSummary(e.stdout, rec)
	return nil
}

func printRunSummary(w io.Writer, rec *pipeline.RunRecord) {
	fmt.Fprintf(w, "run %d %s (%s)\n", rec.ID, rec.Status, rec.Finished.Sub(rec.Started).Round(time.Millisecond))
	for _, s := range rec.Steps {
		var parts []string
		for _, k := range sortedKeys(s.Rows) {
			parts = append(parts, fmt.Sprintf("%s=%d", k, s.Rows[k]))
		}
		fmt.Fprintf(w, "  %-9s %6dms  %s\n", s.Step, s.DurationMS, strings.Join(parts, " "))
	}
}

func cmdValidate(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "validate", "validate [--config FILE]")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := c.load()
	if err != nil {
		return err
	}
	r := &pipeline.Runner{Cfg: cfg, Log: c.logger(e), Version: e.version}
	res, err := r.Validate(ctx, time.Now().UTC())
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tFILE\tSTATUS\tROWS OK\tREJECTED\tREASONS")
	for _, f := range res.Files {
		status := "ok"
		switch {
		case f.Error != "":
			status = "failed"
		case f.Warning != "":
			status = f.Warning
		case f.Skipped:
			status = "already loaded"
		case f.Reloaded:
			status = "ok (read again)"
		}
		var reasons []string
		for _, k := range sortedKeys(f.Reasons) {
			reasons = append(reasons, fmt.Sprintf("%s=%d", k, f.Reasons[k]))
		}
		if f.Error != "" {
			reasons = []string{f.Error}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", f.Source, f.Path, status, f.Loaded, f.Rejected, strings.Join(reasons, " "))
	}
	tw.Flush()
	return err
}

func cmdStatus(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "status", "status [--config FILE] [--runs N]")
	n := fs.Int("runs", 10, "how many recent runs to show")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1 {
		return usageError{fmt.Sprintf("--runs %d: want at least 1", *n)}
	}
	cfg, err := c.loadForReading()
	if err != nil {
		return err
	}
	r := &pipeline.Runner{Cfg: cfg, Log: c.logger(e), Version: e.version}
	st, err := r.Status(ctx, *n)
	if err != nil {
		return err
	}
	st.Print(e.stdout)
	if !st.Healthy() {
		return errExitQuiet
	}
	return nil
}

func cmdQuery(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "query", `query [--config FILE] [--db FILE] [--format table|csv|json] "SQL"`)
	dbPath := fs.String("db", "", "database file (default: the published snapshot)")
	format := fs.String("format", "table", "output format: table, csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"want exactly one SQL argument"}
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return usageError{fmt.Sprintf("--format %q: want table, csv or json", *format)}
	}
	db, err := c.openReader(ctx, *dbPath, true)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, fs.Arg(0))
	if err != nil {
		return queryFailed(e, err)
	}
	defer rows.Close()
	if err := writeRows(e.stdout, rows, *format); err != nil {
		return queryFailed(e, err)
	}
	return nil
}

// queryFailed tells the person at the terminal why their SQL failed: DuckDB's one-line
// error, pointing to `socrx export` when the sandbox refused it, then DuckDB's own hint
// lines ("Did you mean …", the position in the statement), which help at a terminal.
// query writes no log and no run, so the hints, which may quote names and values from
// the statement, go nowhere else.
func queryFailed(e *env, err error) error {
	msg := strings.TrimSpace(err.Error())
	first, rest, _ := strings.Cut(msg, "\n")
	var de *duckdb.Error
	if (errors.As(err, &de) && de.Type == duckdb.ErrorTypePermission) ||
		strings.Contains(first, "configuration has been locked") || strings.Contains(first, "read-only mode") {
		first += " (socrx query reads the database only, and cannot change its settings; to get data out use socrx export)"
	}
	fmt.Fprintf(e.stderr, "socrx query: %s\n", first)
	if rest = strings.TrimSpace(rest); rest != "" {
		fmt.Fprintln(e.stderr, rest)
	}
	return errExitQuiet
}

func writeRows(w io.Writer, rows *sql.Rows, format string) error {
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("reading columns: %w", err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var tw *tabwriter.Writer
	var cw *csv.Writer
	enc := json.NewEncoder(w)
	switch format {
	case "table":
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	case "csv":
		cw = csv.NewWriter(w)
		if err := cw.Write(cols); err != nil {
			return err
		}
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("reading row: %w", err)
		}
		rec := make([]string, len(cols))
		obj := make(map[string]any, len(cols))
		for i, v := range vals {
			rec[i] = formatValue(v)
			obj[cols[i]] = jsonValue(v)
		}
		switch format {
		case "table":
			fmt.Fprintln(tw, strings.Join(rec, "\t"))
		case "csv":
			if err := cw.Write(rec); err != nil {
				return err
			}
		case "json":
			if err := enc.Encode(obj); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading results: %w", err)
	}
	if tw != nil {
		return tw.Flush()
	}
	if cw != nil {
		cw.Flush()
		return cw.Error()
	}
	return nil
}

func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339)
	case []byte:
		return string(x)
	case float64:
		return fmt.Sprintf("%.10g", x)
	}
	return fmt.Sprint(v)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return formatValue(x)
	case []byte:
		return string(x)
	}
	return v
}

// openReader opens a database read-only for queries and exports: the given file, else the
// published snapshot of the config (never the working file a run may be writing).
// sandbox confines it to that file (pipeline.DBOptions.Sandbox): for query, which runs
// any SQL; export writes its files through DuckDB's COPY and so cannot be sandboxed, but
// runs only the statements it builds itself.
func (c *common) openReader(ctx context.Context, dbPath string, sandbox bool) (*sql.DB, error) {
	path := dbPath
	if path == "" {
		cfg, err := c.loadForReading()
		if err != nil {
			return nil, err
		}
		path = cfg.Resolve(cfg.Publish)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	return pipeline.OpenDB(ctx, path, pipeline.DBOptions{ReadOnly: true, Sandbox: sandbox})
}

// checkPeriod refuses a --period that is not a period label, or not one of the config's
// granularity (a month under a quarterly config has no marts and would report nothing).
func checkPeriod(granularity, label string) error {
	forms := map[string]struct{ form, example string }{
		"month": {"YYYY-MM", "2024-07"}, "quarter": {"YYYY-Qn", "2024-Q3"},
		"year": {"YYYY", "2024"}, "financial_year": {"FYyyyy-yy", "FY2024-25"},
	}
	want := forms[granularity]
	if _, _, err := reports.PeriodSpan(label); err != nil {
		return usageError{fmt.Sprintf("--period %q is not a period: want %s, e.g. %s (the config's period is %s)", label, want.form, want.example, granularity)}
	}
	if kind := periodKind(label); kind != granularity {
		return usageError{fmt.Sprintf("--period %q is a %s, but the config reports by %s: want %s, e.g. %s", label,
			strings.ReplaceAll(kind, "_", " "), strings.ReplaceAll(granularity, "_", " "), want.form, want.example)}
	}
	return nil
}

// periodKind names the granularity of a label reports.PeriodSpan accepts.
func periodKind(label string) string {
	switch {
	case strings.HasPrefix(label, "FY"):
		return "financial_year"
	case strings.Contains(label, "-Q"):
		return "quarter"
	case strings.Contains(label, "-"):
		return "month"
	}
	return "year"
}
