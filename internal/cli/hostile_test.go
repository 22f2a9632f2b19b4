package cli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/socrx/socrx/pipeline"
)

// The hostile-input corpus (testdata/hostile, and the reader bombs in
// connectors/testdata/hostile): each file is put into a project that has loaded a good
// baseline, and socrx is run on it as a user would. For each the test asserts the exit
// status, the one-line message or the quarantine reason, that a failed run leaves the
// data as they were, and that no planted value (every hostile value carries PLANTED)
// reaches a log line, an error or a report.

// hostileCase is one file of the corpus and what socrx must do with it.
type hostileCase struct {
	name    string   // the subtest's name (default: the file's)
	file    string   // under testdata/hostile; a path with a slash is from the repository root
	also    []string // further referral files under testdata/hostile, read in the same run
	as      string   // name in the project: which source reads it
	gen     func(t *testing.T, path string)
	steps   string // --steps of the run (default ingest)
	schemes bool   // configure schemes S1 and S2
	exit    int
	msg     string // in the last line of stderr (a failure)
	reason  string // a quarantine reason the file's rows get (a success)
	check   func(t *testing.T, dir string)
}

const hostileConfig = `database: db/socrx.duckdb
publish: db/published/socrx.duckdb
reports: reports
period: quarter
sources:
  referrals:
    - { path: "extracts/referrals*.csv" }
%s  attendances: { path: "extracts/attendances*.csv" }
  outcomes:    { path: "extracts/outcomes*.csv" }
schedule: { lock_wait: 5s }
`

// readerSources are the extra referral sources a case's file may need.
var readerSources = map[string]string{
	"xlsx/": `    - { name: xlsx, path: "extracts/xlsx/*.xlsx", format: xlsx, sheet: Data, scheme_id: S1 }` + "\n",
	"emis/": `    - { name: emis, path: "extracts/emis/*.csv", format: emis, scheme_id: S1 }` + "\n",
}

func hostileProjectConfig(c hostileCase) string {
	extra := ""
	for prefix, src := range readerSources {
		if strings.HasPrefix(c.as, prefix) {
			extra = src
		}
	}
	cfg := fmt.Sprintf(hostileConfig, extra)
	if c.schemes {
		cfg += "schemes:\n  - { id: S1, name: One }\n  - { id: S2, name: Two }\n"
	}
	return cfg
}

func hostileCases() []hostileCase {
	return []hostileCase{
		// ids and codes the marts or the file system would take for their own
		{file: "ref_reserved_all.csv", reason: "reserved_id"},
		{file: "ref_reserved_all_lower.csv", reason: "reserved_id"},
		{file: "ref_unknown_scheme.csv", schemes: true, reason: "unknown_scheme"},
		{file: "ref_scientific_ids.csv", reason: "spreadsheet_error"},
		{file: "ref_spreadsheet_errors.csv", reason: "spreadsheet_error"},
		{file: "ref_age_decimal.csv", reason: "bad_integer"},
		{file: "ref_age_hex.csv", reason: "bad_integer"},
		{file: "ref_future_dates.csv", reason: "future_date"},
		// identifiers
		{file: "ref_nhs_person.csv", exit: 1, msg: "column person_id: holds NHS numbers"},
		{file: "ref_nhs_referral_id.csv", exit: 1, msg: "column referral_id: holds NHS numbers"},
		{file: "att_nhs_worker.csv", as: "attendances_1.csv", exit: 1, msg: "column worker_id: holds NHS numbers"},
		{file: "out_nhs_person.csv", as: "outcomes_1.csv", exit: 1, msg: "column person_id: holds NHS numbers"},
		{file: "out_scores_out_of_range.csv", as: "outcomes_1.csv", exit: 1,
			msg: "column score: 6 of 6 rows quarantined, more than ingest.max_rejected_share (0.5) allows; the commonest reason is out_of_range"},
		{file: "ref_nhs_in_reason.csv", check: masked("[NHS number]")},
		{file: "ref_postcode_in_reason.csv", check: masked("[postcode]")},
		{file: "ref_postcode_lsoa.csv", reason: "postcode_in_lsoa", check: noValue("SW1A")},
		// files that are not what the config says
		{file: "ref_headerless.csv", exit: 1, msg: "looks like a data row: is the header row missing?"},
		{file: "ref_semicolon.csv", exit: 1, msg: "the header holds ';': is that its delimiter?"},
		{file: "ref_tab_separated.csv", exit: 1, msg: "the header holds '\\t': is that its delimiter?"},
		{file: "ref_latin1.csv", exit: 1, msg: "not valid UTF-8"},
		{file: "ref_windows1252.csv", exit: 1, msg: "not valid UTF-8"},
		{file: "ref_utf16le.csv", exit: 1, msg: "UTF-16"},
		{file: "ref_truncated_quote.csv", exit: 1, msg: "unterminated quoted field"},
		{file: "ref_truncated_row.csv", exit: 1, msg: "line 5: expected 13 fields, found"},
		{file: "ref_ragged.csv", exit: 1, msg: "line 4: expected 13 fields, found 14"},
		{file: "ref_duplicate_header.csv", exit: 1, msg: "header repeats a column name"},
		{file: "ref_empty.csv", exit: 1, msg: "file is empty"},
		{file: "ref_only_header.csv"},
		{file: "ref_bom_crlf.csv"},
		{file: "ref_us_dates.csv", exit: 1, msg: "US order"},
		{file: "ref_iso_dates.csv", exit: 1, msg: "5 of 5 rows quarantined, more than ingest.max_rejected_share (0.5) allows; the commonest reason is bad_date"},
		{file: "att_unmapped_setting.csv", as: "attendances_1.csv", exit: 1, msg: `column setting: 6 of 6 rows quarantined, more than ingest.max_rejected_share (0.5) allows; the commonest reason is unknown_code (6 rows, e.g. "Link Worker")`},
		{file: "ref_nul_late.csv", gen: nulLate, exit: 1, msg: "line 30002: a NUL byte"},
		{file: "ref_very_long_field.csv", gen: veryLongField, exit: 1, msg: "longer than 4 MiB"},
		{file: "ref_fifo.csv", gen: fifo, exit: 1, msg: "not a regular file"},
		{file: "ref_headerless_symlink_target.csv", gen: symlinked, exit: 1, msg: "looks like a data row"},
		// readers' bombs: bounded, refused in one line
		{file: "connectors/testdata/hostile/xlsx_shared_string_bomb.xlsx", as: "xlsx/bomb.xlsx", exit: 1, msg: "a zip bomb"},
		{file: "connectors/testdata/hostile/xlsx_long_cell.xlsx", as: "xlsx/long.xlsx", exit: 1, msg: "holds more than 32767 characters"},
		{file: "connectors/testdata/hostile/xlsx_empty_rows.xlsx", as: "xlsx/rows.xlsx", exit: 1, msg: "a zip bomb"},
		{file: "connectors/testdata/hostile/xlsx_lying_size.xlsx", as: "xlsx/lying.xlsx", exit: 1, msg: "inflates past the 4096 bytes its zip entry states"},
		{file: "connectors/testdata/hostile/emis_endless_field.csv", as: "emis/endless.csv", exit: 1, msg: "holds more than 32767 characters"},
		// values that reach the reports: one run reads all six files (their ids differ),
		// transforms and reports, and every check holds over what it wrote
		{name: "values that reach the reports", file: "ref_formula_cells.csv",
			also:  []string{"ref_long_scheme_id.csv", "ref_colliding_scheme_ids.csv", "ref_control_chars_ids.csv", "ref_bidi_practice.csv", "ref_html_injection.csv"},
			steps: "ingest,transform,report",
			check: allOf(formulaSafe, boundedNames, distinctReports("SP/01", "SP_01", "sp_01"),
				noRawRunes('\u202e', '\u0007', '\u2066', '\u2069'), noHTMLInjection)},
	}
}

// hostileTemplate is a project that has loaded the good baseline, made once and copied
// for each case (a DuckDB file at rest copies as bytes).
var hostileTemplate = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "socrx-hostile-")
	if err != nil {
		return "", err
	}
	for _, sub := range []string{"extracts/xlsx", "extracts/emis"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return "", err
		}
	}
	for _, f := range []string{"referrals", "attendances"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, "pipeline", "testdata", "good", f+".csv"))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, "extracts", f+"_0.csv"), b, 0o644); err != nil {
			return "", err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte(hostileProjectConfig(hostileCase{})), 0o644); err != nil {
		return "", err
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"ingest", "--config", filepath.Join(dir, "socrx.yaml"), "--log-format", "json", "--logical-date", "2024-12-31"}, &out, &errb); code != 0 {
		return "", fmt.Errorf("baseline ingest exited %d: %s", code, errb.String())
	}
	return dir, nil
})

func TestHostileCorpus(t *testing.T) {
	tmpl, err := hostileTemplate()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmpl) })
	// every case starts from the template's bytes, so from its data
	before := tableDigest(t, filepath.Join(tmpl, "db", "socrx.duckdb"))
	cases := hostileCases()
	if len(cases) < 30 {
		t.Fatalf("the corpus has %d cases; the issue asks for at least 30", len(cases))
	}
	for _, c := range cases {
		name := c.name
		if name == "" {
			name = filepath.Base(c.file)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := copyTree(tmpl, dir); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte(hostileProjectConfig(c)), 0o644); err != nil {
				t.Fatal(err)
			}
			as := c.as
			if as == "" {
				as = "referrals_1.csv"
			}
			target := filepath.Join(dir, "extracts", as)
			src := filepath.Join(repoRoot, "testdata", "hostile", c.file)
			if strings.Contains(c.file, "/") {
				src = fromRoot(c.file)
			}
			switch {
			case c.gen != nil:
				c.gen(t, target)
			default:
				if err := copyPath(src, target); err != nil {
					t.Fatal(err)
				}
			}
			for i, f := range c.also {
				if err := copyPath(filepath.Join(repoRoot, "testdata", "hostile", f), filepath.Join(dir, "extracts", fmt.Sprintf("referrals_%d.csv", i+2))); err != nil {
					t.Fatal(err)
				}
			}
			steps := c.steps
			if steps == "" {
				steps = "ingest"
			}
			var out, errb bytes.Buffer
			code := Main([]string{"run", "--config", filepath.Join(dir, "socrx.yaml"), "--steps", steps,
				"--log-format", "json", "--logical-date", "2024-12-31"}, &out, &errb)
			if code != c.exit {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.exit, errb.String())
			}
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			last := lines[len(lines)-1]
			if c.exit != 0 {
				if !strings.Contains(last, c.msg) || !strings.Contains(last, filepath.Base(as)) && !strings.Contains(c.msg, "regular") {
					t.Errorf("last line of stderr %q: want it to name %s and say %q", last, filepath.Base(as), c.msg)
				}
				if after := tableDigest(t, filepath.Join(dir, "db", "socrx.duckdb")); after != before {
					t.Errorf("the failed run changed the data")
				}
			}
			for _, s := range []string{out.String(), errb.String()} {
				if strings.Contains(s, "PLANTED") || strings.Contains(s, "9434765919") {
					t.Errorf("a planted value reached the output or the log:\n%s", s)
				}
			}
			if c.reason != "" {
				db := openRO(t, filepath.Join(dir, "db", "socrx.duckdb"))
				var n int64
				if err := db.QueryRow(`SELECT count(*) FROM quarantine WHERE reason = ? AND file LIKE '%' || ?`, c.reason, filepath.Base(as)).Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Errorf("no row of %s quarantined as %s", as, c.reason)
				}
			}
			reportsHoldNoPlanted(t, filepath.Join(dir, "reports"))
			if c.check != nil {
				c.check(t, dir)
			}
		})
	}
}

func openRO(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := pipeline.OpenDB(context.Background(), path, pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// tableDigest fingerprints the data tables (not runs, which records the failure).
func tableDigest(t *testing.T, path string) string {
	t.Helper()
	db, err := pipeline.OpenDB(context.Background(), path, pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, tbl := range []string{"referrals", "attendances", "quarantine", "ingested_files", "deprivation"} {
		var n int64
		var h sql.NullString
		// the sum of the rows' hashes: any changed, added or removed row moves it
		if err := db.QueryRow(`SELECT count(*), CAST(coalesce(sum(CAST(hash(t) AS HUGEINT)), 0) AS VARCHAR) FROM `+tbl+` t`).Scan(&n, &h); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s:%d:%s ", tbl, n, h.String)
	}
	return b.String()
}

// reportsHoldNoPlanted: no planted value in any file under the reports directory.
func reportsHoldNoPlanted(t *testing.T, dir string) {
	t.Helper()
	walkFiles(t, dir, func(path string, b []byte) {
		if bytes.Contains(b, []byte("PLANTED")) || bytes.Contains(b, []byte("9434765919")) {
			t.Errorf("%s holds a planted value", path)
		}
	})
}

func walkFiles(t *testing.T, dir string, f func(path string, b []byte)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f(path, b)
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

func masked(marker string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		db := openRO(t, filepath.Join(dir, "db", "socrx.duckdb"))
		var n int64
		if err := db.QueryRow(`SELECT count(*) FROM referrals WHERE contains(referral_reason, ?)`, marker).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("referrals with %s in their reason = %d, want 1", marker, n)
		}
	}
}

// noValue: the value is nowhere in the database, quarantine included.
func noValue(v string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		db := openRO(t, filepath.Join(dir, "db", "socrx.duckdb"))
		var n int64
		if err := db.QueryRow(`SELECT (SELECT count(*) FROM quarantine WHERE contains(value, ?)) + (SELECT count(*) FROM referrals WHERE contains(lsoa_code, ?))`, v, v).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d rows hold %q", n, v)
		}
	}
}

// allOf runs every check.
func allOf(checks ...func(*testing.T, string)) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		for _, check := range checks {
			check(t, dir)
		}
	}
}

// formulaSafe: no CSV cell under the reports begins with a formula character.
func formulaSafe(t *testing.T, dir string) {
	checked := 0
	walkFiles(t, filepath.Join(dir, "reports"), func(path string, b []byte) {
		if filepath.Ext(path) != ".csv" {
			return
		}
		for _, line := range strings.Split(string(b), "\n") {
			for _, cell := range strings.Split(line, ",") {
				cell = strings.TrimPrefix(cell, `"`)
				checked++
				if cell != "" && strings.ContainsRune("=+@\t\r", rune(cell[0])) {
					t.Errorf("%s: a cell begins with %q", filepath.Base(path), cell[:1])
				}
			}
		}
	})
	if checked == 0 {
		t.Error("no CSV cell checked")
	}
}

// boundedNames: every report file name is short, whatever the ids.
func boundedNames(t *testing.T, dir string) {
	n := 0
	walkFiles(t, filepath.Join(dir, "reports"), func(path string, _ []byte) {
		n++
		if len(filepath.Base(path)) > 80 {
			t.Errorf("report file name of %d characters: %s", len(filepath.Base(path)), filepath.Base(path))
		}
	})
	if n == 0 {
		t.Error("no report written")
	}
}

// distinctReports: schemes whose ids differ only by case or a character the file system
// cannot take each get a report of their own.
func distinctReports(ids ...string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		db := openRO(t, filepath.Join(dir, "db", "socrx.duckdb"))
		seen := map[string]string{}
		for _, id := range ids {
			var p string
			if err := db.QueryRow(`SELECT html_path FROM reports_written WHERE scheme_id = ? AND period = '2024-Q1'`, id).Scan(&p); err != nil {
				t.Fatalf("report of %q: %v", id, err)
			}
			if other, dup := seen[strings.ToLower(p)]; dup {
				t.Errorf("%q and %q share the report file %s", id, other, p)
			}
			seen[strings.ToLower(p)] = id
			if _, err := os.Stat(filepath.Join(dir, "reports", p)); err != nil {
				t.Errorf("report of %q: %v", id, err)
			}
		}
	}
}

func noRawRunes(rs ...rune) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		walkFiles(t, filepath.Join(dir, "reports"), func(path string, b []byte) {
			if filepath.Ext(path) != ".html" {
				return
			}
			for _, r := range rs {
				if bytes.ContainsRune(b, r) {
					t.Errorf("%s holds %U unescaped", filepath.Base(path), r)
				}
			}
		})
	}
}

func noHTMLInjection(t *testing.T, dir string) {
	walkFiles(t, filepath.Join(dir, "reports"), func(path string, b []byte) {
		if filepath.Ext(path) != ".html" {
			return
		}
		for _, bad := range []string{"<b>x</b>", `href="//evil`, `href="/`, "<script>"} {
			if bytes.Contains(b, []byte(bad)) {
				t.Errorf("%s holds %q", filepath.Base(path), bad)
			}
		}
	})
}

// nulLate writes 40,000 referrals with a NUL byte in record 30,002 (beyond the first MiB).
func nulLate(t *testing.T, path string) {
	var b strings.Builder
	b.WriteString(refHeaderLine)
	for i := 1; i <= 40000; i++ {
		reason := "isolation"
		if i == 30001 {
			reason = "low\x00PLANTED11"
		}
		fmt.Fprintf(&b, "N%06d,Q%06d,S1,A81001,05/01/2024,gp,%s,accepted,,E01021988,F,50,A\n", i, i, reason)
	}
	writeT(t, path, b.String())
}

// veryLongField writes a record whose quoted field runs past 4 MiB.
func veryLongField(t *testing.T, path string) {
	writeT(t, path, refHeaderLine+"V1,Q1,S1,A81001,05/01/2024,gp,\""+strings.Repeat("PLANTED13", 600000)+"\",accepted,,E01021988,F,50,A\n")
}

func fifo(t *testing.T, path string) {
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
}

// symlinked points the extract at a headerless file outside the extracts folder.
func symlinked(t *testing.T, path string) {
	outside := filepath.Join(filepath.Dir(filepath.Dir(path)), "elsewhere.csv")
	if err := copyPath(filepath.Join(repoRoot, "testdata", "hostile", "ref_headerless_symlink_target.csv"), outside); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, path); err != nil {
		t.Fatal(err)
	}
}

const refHeaderLine = "referral_id,person_id,scheme_id,practice_code,referral_date,referral_source,referral_reason,outcome,closed_date,lsoa_code,sex,age,ethnic_category\n"

func writeT(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyPath(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}

// copyTree copies a project directory (regular files and folders).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if strings.HasSuffix(path, ".lock") {
			return nil
		}
		return copyPath(path, to)
	})
}
