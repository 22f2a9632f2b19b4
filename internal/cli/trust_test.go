package cli

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/socrx/socrx/pipeline"
)

// cli runs the socrx command line in-process and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// loadedProject is a csvProject with the good extracts loaded and published by one run.
func loadedProject(t *testing.T) (dir, cfg string) {
	t.Helper()
	dir = csvProject(t, "publish: db/published/socrx.duckdb\n")
	cfg = filepath.Join(dir, "socrx.yaml")
	copyFile(t, fromRoot("pipeline/testdata/good/referrals.csv"), filepath.Join(dir, "extracts", "referrals_0.csv"))
	copyFile(t, fromRoot("pipeline/testdata/good/attendances.csv"), filepath.Join(dir, "extracts", "attendances_0.csv"))
	if code, _, errs := cli(t, "run", "--config", cfg, "--log-format", "json", "--logical-date", "2024-06-30", "--steps", "ingest,transform,publish"); code != 0 {
		t.Fatalf("setting up: exit %d: %s", code, errs)
	}
	return dir, cfg
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestBadPeriodIsUsageError: a bad --period (not a period, or not one of the config's
// granularity), --format, --logical-date, --steps or flag exits 2 with one usage line
// and records nothing: no runs row, the database file untouched, status still healthy.
func TestBadPeriodIsUsageError(t *testing.T) {
	dir, cfg := loadedProject(t)
	db := filepath.Join(dir, "db", "socrx.duckdb")
	before := fileSum(t, db)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"report", "--period", "2024-Q9"}, `--period "2024-Q9" is not a period: want YYYY-Qn, e.g. 2024-Q3`},
		{[]string{"report", "--period", "2024-07"}, `--period "2024-07" is a month, but the config reports by quarter`},
		{[]string{"report", "--period", "2024"}, `is a year, but the config reports by quarter`},
		{[]string{"report", "--period", "FY2024-25"}, `is a financial year, but the config reports by quarter`},
		{[]string{"report", "--period", "2024-13"}, `is not a period`},
		{[]string{"report", "--period", "Q3-2024"}, `is not a period`},
		{[]string{"report", "--logical-date", "2024-02-30"}, `--logical-date "2024-02-30"`},
		{[]string{"run", "--logical-date", "yesterday"}, `--logical-date "yesterday"`},
		{[]string{"run", "--steps", "ingest,bogus"}, `--steps: unknown step "bogus"`},
		{[]string{"run", "--steps", "ingest,,publish"}, `--steps: unknown step ""`},
		{[]string{"run", "--bogus"}, `flag provided but not defined: -bogus`},
		{[]string{"ingest", "referrals.csv"}, `unexpected argument "referrals.csv"`},
		{[]string{"transform", "--full=maybe"}, `invalid boolean value "maybe" for -full`},
		{[]string{"query", "--format", "xml", "SELECT 1"}, `--format "xml": want table, csv or json`},
		{[]string{"query"}, `want exactly one SQL argument`},
		{[]string{"export", "--format", "csv", "--out", filepath.Join(dir, "x")}, `--format "csv": want parquet or arrow`},
		{[]string{"status", "--runs", "0"}, `--runs 0: want at least 1`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append(append([]string{}, c.args...), "--config", cfg, "--log-format", "json")
			if c.args[0] == "query" || c.args[0] == "ingest" {
				// positional arguments end the flags: put the common ones first
				args = append([]string{c.args[0], "--config", cfg, "--log-format", "json"}, c.args[1:]...)
			}
			code, out, errs := cli(t, args...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", code, errs)
			}
			if strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "socrx "+c.args[0]+": ") ||
				!strings.Contains(errs, c.want) || !strings.Contains(errs, "see socrx "+c.args[0]+" --help") {
				t.Errorf("stderr %q; want one line with %q", errs, c.want)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
		})
	}
	if fileSum(t, db) != before {
		t.Errorf("a refused command line changed the database")
	}
	if code, out, _ := cli(t, "status", "--config", cfg, "--log-format", "json"); code != 0 || strings.Count(out, "failed") > 0 {
		t.Errorf("status after refused command lines: exit %d\n%s", code, out)
	}
	if code, out, errs := cli(t, "query", "--db", db, "--format", "csv", "SELECT count(*) FROM runs"); code != 0 || out != "count_star()\n1\n" {
		t.Errorf("runs after refused command lines: exit %d %q %q; want the setup run only", code, out, errs)
	}
	// A good --period of the config's granularity runs.
	if code, _, errs := cli(t, "report", "--config", cfg, "--log-format", "json", "--logical-date", "2024-06-30", "--period", "2024-Q1"); code != 0 {
		t.Errorf("report --period 2024-Q1: exit %d: %s", code, errs)
	}
	// --help is not an error, and prints the help.
	if code, _, errs := cli(t, "report", "--help"); code != 0 || !strings.Contains(errs, "Usage: socrx report") || !strings.Contains(errs, "-period") {
		t.Errorf("report --help: exit %d, %q", code, errs)
	}
}

// TestQuerySandbox: `socrx query` reads the database and nothing else: no file read or
// written outside it, no extension installed or loaded, no setting changed; each refusal
// is one line pointing to `socrx export`. DuckDB's hints reach the terminal. Ordinary SQL,
// including the information_schema listing other tools rely on, works, and so does
// `socrx export`.
func TestQuerySandbox(t *testing.T) {
	dir, cfg := loadedProject(t)
	tmp := t.TempDir()
	secret := filepath.Join(tmp, "secret.csv")
	if err := os.WriteFile(secret, []byte("name\nTOPSECRET\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	refused := []struct {
		sql    string
		leaves string // a path that must not exist afterwards
	}{
		{"COPY referrals TO '" + filepath.Join(tmp, "out.csv") + "'", filepath.Join(tmp, "out.csv")},
		{"COPY (SELECT * FROM referrals) TO '" + filepath.Join(tmp, "out.parquet") + "' (FORMAT parquet)", filepath.Join(tmp, "out.parquet")},
		{"SELECT * FROM read_csv('" + secret + "')", ""},
		{"SELECT * FROM read_text('" + secret + "')", ""},
		{"SELECT * FROM glob('" + tmp + "/*')", ""},
		{"INSTALL httpfs", ""},
		{"LOAD httpfs", ""},
		{"ATTACH '" + filepath.Join(tmp, "other.duckdb") + "' AS other", filepath.Join(tmp, "other.duckdb")},
		{"EXPORT DATABASE '" + filepath.Join(tmp, "dump") + "'", filepath.Join(tmp, "dump")},
		{"SET enable_external_access = true", ""},
		{"RESET enable_external_access", ""},
		{"SET lock_configuration = false", ""},
		{"SET autoinstall_known_extensions = true", ""},
		{"SET allow_community_extensions = true", ""},
		{"CREATE TABLE x AS SELECT 1", ""},
		{"DELETE FROM referrals", ""},
	}
	for _, c := range refused {
		t.Run(c.sql, func(t *testing.T) {
			code, out, errs := cli(t, "query", "--config", cfg, c.sql)
			first, _, _ := strings.Cut(errs, "\n")
			if code != 1 || !strings.HasPrefix(first, "socrx query: ") || !strings.Contains(first, "socrx export") {
				t.Errorf("exit %d, first stderr line %q; want 1 and a pointer to socrx export", code, first)
			}
			if strings.Contains(out+errs, "TOPSECRET") {
				t.Errorf("the file's content got out: %q %q", out, errs)
			}
			if c.leaves != "" {
				if _, err := os.Stat(c.leaves); err == nil {
					t.Errorf("%s was written", c.leaves)
				}
			}
		})
	}
	code, out, errs := cli(t, "query", "--db", filepath.Join(dir, "db", "published", "socrx.duckdb"), "--format", "csv",
		"SELECT table_name, column_name FROM information_schema.columns")
	if code != 0 || !strings.HasPrefix(out, "table_name,column_name\n") || !strings.Contains(out, "\nruns,run_id\n") {
		t.Errorf("information_schema listing: exit %d, stderr %q, stdout starts %.200q", code, errs, out)
	}
	code, _, errs = cli(t, "query", "--config", cfg, "SELECT count(*) FROM refrrals")
	if code != 1 || !strings.HasPrefix(errs, "socrx query: Catalog Error") || !strings.Contains(errs, `Did you mean "referrals"`) {
		t.Errorf("a misspelt table: exit %d, stderr %q; want the error and DuckDB's hint", code, errs)
	}
	if strings.Contains(errs, "socrx export") {
		t.Errorf("an ordinary SQL error points to export: %q", errs)
	}
	code, out, errs = cli(t, "export", "--config", cfg, "--tables", "referrals", "--format", "parquet", "--out", filepath.Join(tmp, "export"))
	if code != 0 || !strings.Contains(out, "referrals") {
		t.Errorf("export: exit %d, %q %q", code, out, errs)
	}
	if _, err := os.Stat(filepath.Join(tmp, "export", "referrals.parquet")); err != nil {
		t.Errorf("export wrote no file: %v", err)
	}
}

// TestStatusShowsFailureBeforeRunRow: a run that dies before its runs row (here the
// database file is not a DuckDB database) exits 1, and status exits 1 naming it until a
// later run succeeds. Status works before any database exists.
func TestStatusShowsFailureBeforeRunRow(t *testing.T) {
	dir := csvProject(t, "")
	cfg := filepath.Join(dir, "socrx.yaml")
	copyFile(t, fromRoot("pipeline/testdata/good/referrals.csv"), filepath.Join(dir, "extracts", "referrals_0.csv"))
	copyFile(t, fromRoot("pipeline/testdata/good/attendances.csv"), filepath.Join(dir, "extracts", "attendances_0.csv"))
	if code, out, errs := cli(t, "status", "--config", cfg, "--log-format", "json"); code != 0 || !strings.Contains(out, "not created yet") {
		t.Errorf("status with no database: exit %d\n%s%s", code, out, errs)
	}
	db := filepath.Join(dir, "db", "socrx.duckdb")
	os.MkdirAll(filepath.Dir(db), 0o755)
	if err := os.WriteFile(db, []byte("not a database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, "ingest", "--config", cfg, "--log-format", "json", "--logical-date", "2024-06-30")
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || !strings.HasPrefix(lines[len(lines)-1], "socrx ingest: opening database") {
		t.Errorf("ingest on a broken database: exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(errs, "run failed before it could be recorded in the database") {
		t.Errorf("the log does not say the run could not be recorded: %q", errs)
	}
	if _, err := os.Stat(pipeline.FailurePath(db)); err != nil {
		t.Fatalf("no failure record: %v", err)
	}
	code, out, errs := cli(t, "status", "--config", cfg, "--log-format", "json")
	if code != 1 || !strings.Contains(out, "FAILED before it could be recorded") || !strings.Contains(out, "ingest") || !strings.Contains(out, "opening database") {
		t.Errorf("status after the failure: exit %d\n%s%s", code, out, errs)
	}
	os.Remove(db)
	if code, _, errs := cli(t, "ingest", "--config", cfg, "--log-format", "json", "--logical-date", "2024-06-30"); code != 0 {
		t.Fatalf("ingest after the fix: exit %d: %s", code, errs)
	}
	if code, out, _ := cli(t, "status", "--config", cfg, "--log-format", "json"); code != 0 || strings.Contains(out, "FAILED") {
		t.Errorf("status after a successful run: exit %d\n%s", code, out)
	}
}
