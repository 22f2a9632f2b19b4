package reports

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/xuri/excelize/v2"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/transforms"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixtureDB is an in-memory DuckDB with the core schema and the hand-made marts. One
// worker thread: the package's tests run side by side.
func fixtureDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "?threads=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ddl, err := transforms.Schema()
	if err != nil {
		t.Fatal(err)
	}
	fixture, err := os.ReadFile(filepath.Join("testdata", "fixture.sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{ddl, string(fixture)} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func testOptions(out string) Options {
	return Options{
		OutDir: out, Policy: disclosure.Policy{Threshold: 7, Rounding: 5}, LagDays: 28,
		SchemeNames: map[string]string{"S1": "Small Scheme", "S2": "Larger Scheme"},
		Prov: Provenance{RunID: 1, CodeVersion: "test", RunTime: time.Date(2024, 6, 1, 2, 0, 5, 0, time.UTC),
			LogicalDate: time.Date(2024, 6, 1, 2, 0, 0, 0, time.UTC), DeprivationEdition: "IoD2019", Quantiles: "national"},
	}
}

// render runs the report step on the fixture into a fresh directory.
func render(t *testing.T) (string, Result) {
	t.Helper()
	db := fixtureDB(t)
	out := t.TempDir()
	res, err := Run(context.Background(), db, testOptions(out))
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

func TestRunWritesDuePeriods(t *testing.T) {
	db := fixtureDB(t)
	out := t.TempDir()
	o := testOptions(out)
	res, err := Run(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	// 2024-Q1 ended 31 March, more than 28 days before 1 June; so did 2023-Q4
	if got := strings.Join(res.Periods, ","); got != "2023-Q4,2024-Q1" {
		t.Fatalf("periods = %s", got)
	}
	for _, f := range []string{"index.html", "2024-Q1/ALL.html", "2024-Q1/S1.html", "2024-Q1/S2.html",
		"2024-Q1/socrx-2024-Q1.xlsx", "2024-Q1/csv/pathway_by_quintile.csv"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}
	// the same data again: nothing due
	res, err = Run(context.Background(), db, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Periods) != 0 {
		t.Errorf("re-run reported %v again", res.Periods)
	}
	// new data: due again
	if _, err := db.Exec(`INSERT INTO ingested_files (file_id, kind, source, sha256, superseded) VALUES (9, 'attendances', 'attendances[0]', 'dddd', false)`); err != nil {
		t.Fatal(err)
	}
	if res, err = Run(context.Background(), db, o); err != nil || len(res.Periods) != 2 {
		t.Errorf("after new data: %v, %v", res.Periods, err)
	}
	// a lag that the logical date has not reached yet
	o.LagDays = 90
	if _, err := db.Exec(`INSERT INTO ingested_files (file_id, kind, source, sha256, superseded) VALUES (10, 'attendances', 'attendances[0]', 'eeee', false)`); err != nil {
		t.Fatal(err)
	}
	if res, err = Run(context.Background(), db, o); err != nil || strings.Join(res.Periods, ",") != "2023-Q4" {
		t.Errorf("with a 90-day lag: %v, %v", res.Periods, err)
	}
}

func TestPeriodSpan(t *testing.T) {
	for _, tc := range []struct{ label, first, last string }{
		{"2024-Q1", "2024-01-01", "2024-03-31"}, {"2024-02", "2024-02-01", "2024-02-29"},
		{"2024", "2024-01-01", "2024-12-31"}, {"FY2024-25", "2024-04-01", "2025-03-31"},
	} {
		f, l, err := PeriodSpan(tc.label)
		if err != nil || f.Format("2006-01-02") != tc.first || l.Format("2006-01-02") != tc.last {
			t.Errorf("%s: %v %v %v", tc.label, f, l, err)
		}
	}
	for _, bad := range []string{"2024-Q5", "2024-13", "FY2024-26", "all"} {
		if _, _, err := PeriodSpan(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if ok, _ := Ended("2024-Q1", time.Date(2024, 4, 28, 0, 0, 0, 0, time.UTC), 28); ok {
		t.Error("2024-Q1 due on 28 April with a 28-day lag")
	}
	if ok, _ := Ended("2024-Q1", time.Date(2024, 4, 29, 0, 0, 0, 0, time.UTC), 28); !ok {
		t.Error("2024-Q1 not due on 29 April with a 28-day lag")
	}
}

// TestGolden compares the HTML, CSV and workbook content with testdata/golden.
func TestGolden(t *testing.T) {
	out, _ := render(t)
	var names []string
	err := filepath.WalkDir(filepath.Join(out, "2024-Q1"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	names = append(names, filepath.Join(out, "index.html"))
	for _, p := range names {
		rel, _ := filepath.Rel(out, p)
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "golden", rel)
		if strings.HasSuffix(p, ".xlsx") {
			got = []byte(dumpWorkbook(t, p))
			golden += ".txt"
		}
		if *update {
			os.MkdirAll(filepath.Dir(golden), 0o755)
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./reports -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s: %s (run go test ./reports -update after checking the change)", rel, golden, firstDiff(got, want))
		}
	}
}

func firstDiff(a, b []byte) string {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n got  %.200s\n want %.200s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines vs %d", len(al), len(bl))
}

// dumpWorkbook renders a workbook's sheets, cell types and frozen panes as text.
func dumpWorkbook(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	props, _ := f.GetDocProps()
	fmt.Fprintf(&b, "created %s modified %s\n", props.Created, props.Modified)
	for _, sh := range f.GetSheetList() {
		panes, _ := f.GetPanes(sh)
		fmt.Fprintf(&b, "== %s (frozen %v, top-left %s)\n", sh, panes.Freeze, panes.TopLeftCell)
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			var cells []string
			for j, v := range r {
				name, _ := excelize.CoordinatesToCellName(j+1, i+1)
				typ, _ := f.GetCellType(sh, name)
				cells = append(cells, fmt.Sprintf("%s:%d", v, typ))
			}
			b.WriteString(strings.Join(cells, "|") + "\n")
		}
	}
	return b.String()
}

// TestDeterministic renders the same database twice and compares every byte.
func TestDeterministic(t *testing.T) {
	a, _ := render(t)
	b, _ := render(t)
	sameFiles(t, a, b, ".", "between two renders")
}

// sameFiles says which files under dir a/sub differ from their namesakes under b.
func sameFiles(t *testing.T, a, b, sub, what string) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(a, sub), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			return err
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs %s", rel, what)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestScanFixture checks every file the report step wrote for the small-cell fixture.
func TestScanFixture(t *testing.T) {
	out, _ := render(t)
	n := ScanForDisclosure(t, out, disclosure.Policy{Threshold: 7, Rounding: 5})
	if n < 100 {
		t.Errorf("scanned only %d count cells", n)
	}
	// the fixture has small cells: make sure they really were hidden, not just absent
	b, err := os.ReadFile(filepath.Join(out, "2024-Q1", "csv", "pathway_by_quintile.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "S1,contacted,1,,true,") { // empty, flagged suppressed
		t.Error("S1 quintile 1 contacted numerator (5) is not suppressed")
	}
}

// ScanForDisclosure fails the test for every problem Scan finds and returns how many
// published counts it checked.
func ScanForDisclosure(t *testing.T, dir string, p disclosure.Policy) int {
	t.Helper()
	n, problems, err := Scan(dir, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range problems {
		t.Error(pr)
	}
	return n
}

// TestSharedCountsAgree: a quantity shown in two tables is one cell, so secondary
// suppression cannot hide it in one and show it in the other.
func TestSharedCountsAgree(t *testing.T) {
	db := fixtureDB(t)
	r, err := Build(context.Background(), db, BuildOptions{Period: "2024-Q1", Policy: disclosure.Policy{Threshold: 7, Rounding: 5}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Schemes {
		var cont, trend, sessions *disclosure.Cell
		for _, row := range r.Table("continuity").SchemeRows(s.ID) {
			if row[0].Text == "all" {
				cont = row[1]
			}
		}
		for _, row := range r.Table("trend").SchemeRows(s.ID) {
			if row[0].Text == "2024-Q1" {
				trend = row[1]
			}
		}
		for _, row := range r.Table("session_counts").SchemeRows(s.ID) {
			if row[0].Text == "all" {
				sessions = row[1]
			}
		}
		if cont == nil || trend == nil {
			t.Fatalf("%s: missing rows", s.ID)
		}
		if cont != trend {
			t.Errorf("%s: continuity episodes and trend referrals are different cells (%s, %s)", s.ID, display(cont), display(trend))
		}
		if sessions != nil && sessions.Raw() == cont.Raw() && sessions != cont {
			t.Errorf("%s: session total and episodes are different cells", s.ID)
		}
	}
}

// TestPreloadedRowsMatch checks that a period built alone (its own queries) and built
// among others (queries read once for every period, preload) writes the same files.
func TestPreloadedRowsMatch(t *testing.T) {
	all, _ := render(t)
	db := fixtureDB(t)
	one := t.TempDir()
	o := testOptions(one)
	o.Periods = []string{"2024-Q1"}
	if _, err := Run(context.Background(), db, o); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, one, all, "2024-Q1", "between the period alone and among others")
}
