package cli

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

func queryCommand() command {
	return command{
		name:     "query",
		summary:  "read-only SQL against the published snapshot (or --db FILE)",
		usage:    `query [--config FILE] [--db FILE] [--format table|csv|json] "SQL"`,
		operands: true, // the SQL
		run:      cmdQuery,
	}
}

func cmdQuery(ctx context.Context, e *env, args []string) error {
	flags, c := e.newFlags()
	dbPath := flags.String("db", "", "database file (default: the published snapshot)")
	format := flags.String("format", "table", "output format: table, csv or json")
	if err := e.parse(flags, args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		return usagef("want exactly one SQL argument")
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		return usagef("--format %q: want table, csv or json", *format)
	}
	db, err := c.openReader(ctx, *dbPath, true)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, flags.Arg(0))
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

// formatValue writes a value for table and CSV output: dates without a midnight time,
// floats to 10 significant digits.
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

// jsonValue writes times as formatValue does and bytes as text, which encoding/json
// would otherwise write as RFC 3339 and base64.
func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return formatValue(x)
	case []byte:
		return string(x)
	}
	return v
}
