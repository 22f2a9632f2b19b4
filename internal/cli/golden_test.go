package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/socrx/socrx/pipeline"
)

var updateGolden = flag.Bool("update", false, "rewrite golden files (never in CI)")

// goldenDemo is the committed fingerprint of a fresh demo (seed 1, its own logical date):
// a checksum of every table of the database and of every report file. It proves that a
// change meant to keep behaviour does: run with -update only for a change meant to alter
// numbers or reports, and say in the commit what changed.
const goldenDemo = repoRoot + "/testdata/golden/demo.txt"

func TestDemoGolden(t *testing.T) {
	got := demoFingerprint(t, demoDir(t))
	if *updateGolden {
		if os.Getenv("CI") != "" {
			t.Fatal("-update is not for CI")
		}
		if err := os.WriteFile(goldenDemo, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenDemo)
	if err != nil {
		t.Fatalf("%v (write it with go test -run TestDemoGolden -update)", err)
	}
	if diff := lineDiff(string(want), got); diff != "" {
		t.Errorf("the demo differs from %s (run with -update if the change is meant):\n%s", goldenDemo, diff)
	}
}

// demoFingerprint lists "table NAME ROWS SHA" for every table and "file PATH SHA" for
// every report file, sorted.
func demoFingerprint(t *testing.T, dir string) string {
	t.Helper()
	db, err := pipeline.OpenDB(context.Background(), filepath.Join(dir, "db", "socrx.duckdb"), pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var lines []string
	rows, err := db.Query(`SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND database_name = current_database() ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	for _, tbl := range tables {
		n, sum := tableChecksum(t, db, tbl, dir)
		lines = append(lines, fmt.Sprintf("table %s %d %s", tbl, n, sum))
	}
	reportDir := filepath.Join(dir, "reports")
	err = filepath.WalkDir(reportDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(reportDir, path)
		b, err := reportBytes(path, dir)
		if err != nil {
			return err
		}
		lines = append(lines, fmt.Sprintf("file %s %s", filepath.ToSlash(rel), digest(b)))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// volatile columns hold wall-clock times, process ids, file times or the build's name.
var volatileColumns = map[string]bool{"started_at": true, "finished_at": true, "built_at": true, "written_at": true,
	"modified_ns": true, "pid": true, "code_version": true, "steps": true}

// tableChecksum hashes a table's rows, each formatted with floats to 12 significant
// digits, wall-clock columns left out and the demo's directory written $DEMO, in sorted
// order.
func tableChecksum(t *testing.T, db *sql.DB, table, dir string) (int, string) {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM "` + table + `"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			if volatileColumns[cols[i]] {
				continue
			}
			b.WriteString(goldenValue(v, dir))
			b.WriteByte('\x1f')
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return len(out), digest([]byte(strings.Join(out, "\n")))
}

func goldenValue(v any, dir string) string {
	switch x := v.(type) {
	case nil:
		return "∅"
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
		return strconv.FormatFloat(x, 'g', 12, 64)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', 6, 32)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return strings.ReplaceAll(string(x), dir, "$DEMO")
	case string:
		return strings.ReplaceAll(x, dir, "$DEMO")
	}
	return strings.ReplaceAll(fmt.Sprint(v), dir, "$DEMO")
}

var (
	reStamp   = regexp.MustCompile(`\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?(\.\d+)?( UTC|Z|[+-]\d{2}:\d{2})?`)
	reVersion = regexp.MustCompile(`socrx (dev|v[0-9][^ <"]*)[^ <"]*`)
)

// reportBytes is a report file as compared: times of day and the code version written
// out, and a workbook as the text of its cells (a zip's bytes hold its write time).
func reportBytes(path, dir string) ([]byte, error) {
	var b []byte
	if filepath.Ext(path) == ".xlsx" {
		f, err := excelize.OpenFile(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		var buf bytes.Buffer
		for _, sheet := range f.GetSheetList() {
			rows, err := f.GetRows(sheet)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&buf, "[%s]\n", sheet)
			for _, r := range rows {
				buf.WriteString(strings.Join(r, "\t") + "\n")
			}
		}
		b = buf.Bytes()
	} else {
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return nil, err
		}
	}
	s := strings.ReplaceAll(string(b), dir, "$DEMO")
	s = reStamp.ReplaceAllString(s, "TIME")
	s = reVersion.ReplaceAllString(s, "VERSION")
	return []byte(s), nil
}

func digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:12])
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var out []string
	for l := range w {
		if !g[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range g {
		if !w[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][2:] < out[j][2:] })
	return strings.Join(out, "\n")
}
