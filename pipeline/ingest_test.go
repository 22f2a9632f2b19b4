package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors"
	"github.com/socrx/socrx/pipeline"
	"github.com/socrx/socrx/transforms"
)

// logical is the fixed logical date of the ingest tests.
var logical = time.Date(2024, 6, 30, 2, 0, 0, 0, time.UTC)

// fixture is a project directory with a config, extracts and a database.
type fixture struct {
	t   *testing.T
	dir string
	cfg *config.Config
}

const testConfig = `database: db/socrx.duckdb
publish: db/published/socrx.duckdb
period: quarter
sources:
  referrals:   { path: "extracts/referrals*.csv", date_format: "%d/%m/%Y" }
  attendances: { path: "extracts/attendances*.csv", date_format: ["%d/%m/%Y"] }
schedule: { lock_wait: 1s }
`

func newFixture(t *testing.T, yaml string) *fixture {
	t.Helper()
	// not t.TempDir: a fuzz seed's name holds '#', which a database path may not
	dir, err := os.MkdirTemp("", "socrx-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.MkdirAll(filepath.Join(dir, "extracts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "socrx.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, dir: dir, cfg: cfg}
}

// put copies a testdata file into the extracts directory under a new name.
func (f *fixture) put(src, name string) {
	f.t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", src))
	if err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "extracts", name), b, 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) runner() *pipeline.Runner {
	return &pipeline.Runner{Cfg: f.cfg, Log: zerolog.Nop(), Version: "test"}
}

func (f *fixture) ingest() (*pipeline.RunRecord, error) {
	return f.runner().Run(context.Background(), pipeline.RunSpec{Job: "ingest", Trigger: pipeline.TriggerManual, Logical: logical, Steps: []string{"ingest"}})
}

// db opens the working database read-only for assertions.
func (f *fixture) db() *sql.DB {
	f.t.Helper()
	db, err := pipeline.OpenDB(context.Background(), f.runner().DBPath(), pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { db.Close() })
	return db
}

func (f *fixture) count(q string, args ...any) int64 {
	f.t.Helper()
	db := f.db()
	defer db.Close()
	var n int64
	if err := db.QueryRow(q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// contents fingerprints every data table, so a failed run can be shown to change nothing:
// its row count and the sum of its rows' hashes, which any changed, added or removed row
// moves.
func (f *fixture) contents() map[string]string { return f.fingerprint("hash(t)") }

// contentsAsText is contents with each row hashed as text, so that an ENUM and a VARCHAR
// column holding the same values agree (slower: every row is cast).
func (f *fixture) contentsAsText() map[string]string {
	return f.fingerprint("hash(CAST(t AS VARCHAR))")
}

func (f *fixture) fingerprint(rowHash string) map[string]string {
	f.t.Helper()
	db := f.db()
	defer db.Close()
	out := map[string]string{}
	for _, tbl := range []string{"referrals", "attendances", "deprivation", "population", "lsoa_lookup", "quarantine", "ingested_files",
		"gp_patients", "gp_events", "codelist_codes"} {
		var sum string
		var n int64
		q := "SELECT count(*), CAST(coalesce(sum(CAST(" + rowHash + " AS HUGEINT)), 0) AS VARCHAR) FROM " + tbl + " t"
		if err := db.QueryRow(q).Scan(&n, &sum); err != nil {
			f.t.Fatalf("%s: %v", q, err)
		}
		out[tbl] = fmt.Sprintf("%d/%s", n, sum)
	}
	return out
}

func TestIngestBaseline(t *testing.T) {
	t.Parallel()
	f := freshBaseline(t)
	for _, c := range []struct {
		q    string
		want int64
	}{
		{"SELECT count(*) FROM referrals", 4},
		{"SELECT count(*) FROM attendances", 5},
		{"SELECT count(*) FROM quarantine", 0},
		{"SELECT count(*) FROM deprivation WHERE edition = 'IoD2019' AND lsoa_vintage = 2011", 32844},
		{"SELECT count(*) FROM deprivation WHERE edition = 'IoD2025' AND lsoa_vintage = 2021", 33755},
		{"SELECT count(*) FROM deprivation WHERE imd_quintile <> (imd_decile + 1) // 2", 0},
		{"SELECT count(*) FROM lsoa_lookup", 35795},
		{"SELECT imd_rank FROM deprivation WHERE edition = 'IoD2019' AND lsoa_code = 'E01021988'", 1},
		{"SELECT count(*) FROM referrals WHERE referral_date = DATE '2024-01-03' AND closed_date = DATE '2024-03-20'", 1},
		{"SELECT count(*) FROM referrals WHERE referral_reason = 'housing, welfare'", 1},
		{"SELECT count(*) FROM referrals WHERE age IS NULL AND ethnic_category = '99'", 1},
		{"SELECT count(*) FROM runs WHERE status = 'succeeded'", 1},
	} {
		if got := f.count(c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}
	// The same files again: nothing new, and status says so.
	rec, err := f.ingest()
	if err != nil {
		t.Fatal(err)
	}
	if rec.Steps[0].Rows["loaded"] != 0 || rec.Steps[0].Rows["files_skipped"] != 2 {
		t.Errorf("re-run loaded %d rows, skipped %d files; want 0 and 2", rec.Steps[0].Rows["loaded"], rec.Steps[0].Rows["files_skipped"])
	}
	if got := f.count("SELECT count(*) FROM referrals"); got != 4 {
		t.Errorf("referrals after re-run = %d, want 4", got)
	}
}

// TestEnumColumns: the contract's closed sets are stored as the ENUM connectors.EnumType
// gives (schema.sql spells them out), and a database made before, with those columns as
// VARCHAR, still loads and reads the same.
func TestEnumColumns(t *testing.T) {
	t.Parallel()
	f := baseline(t)
	db := f.db()
	for _, kind := range []string{"referrals", "attendances"} {
		for _, c := range connectors.Contract(kind) {
			if c.Type != connectors.Enum {
				continue
			}
			var typ string
			if err := db.QueryRow(`SELECT data_type FROM duckdb_columns() WHERE table_name = ? AND column_name = ?`, kind, c.Name).Scan(&typ); err != nil {
				t.Fatalf("%s.%s: %v", kind, c.Name, err)
			}
			if want := connectors.EnumType(c); typ != want {
				t.Errorf("%s.%s is %s, want %s", kind, c.Name, typ, want)
			}
		}
	}
	db.Close()

	old := newFixture(t, testConfig)
	ddl, err := transforms.Schema()
	if err != nil {
		t.Fatal(err)
	}
	ddl = regexp.MustCompile(`ENUM\([^)]*\)`).ReplaceAllString(ddl, "VARCHAR")
	if err := os.MkdirAll(filepath.Dir(old.runner().DBPath()), 0o755); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("duckdb", old.runner().DBPath())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(ddl); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	old.put("good/referrals.csv", "referrals_0.csv")
	old.put("good/attendances.csv", "attendances_0.csv")
	if _, err := old.ingest(); err != nil {
		t.Fatalf("ingest into a VARCHAR database: %v", err)
	}
	if got := old.count(`SELECT count(*) FROM duckdb_columns() WHERE table_name IN ('referrals', 'attendances') AND data_type LIKE 'ENUM%'`); got != 0 {
		t.Errorf("%d columns of the old database became ENUMs", got)
	}
	want, got := f.contentsAsText(), old.contentsAsText()
	for _, tbl := range []string{"referrals", "attendances", "quarantine"} {
		if want[tbl] != got[tbl] {
			t.Errorf("%s differs between the ENUM and the VARCHAR database", tbl)
		}
	}
}

// TestUnchangedFileNotReread: a file loaded before from the same path, with the same size
// and modification time, is taken as unchanged without reading it (its recorded sha256 is
// reused); a new modification time makes the run read and hash it again.
func TestUnchangedFileNotReread(t *testing.T) {
	t.Parallel()
	f := baseline(t)
	path := filepath.Join(f.dir, "extracts", "attendances_0.csv")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.count("SELECT count(*) FROM ingested_files WHERE path = ? AND modified_ns = ?", path, fi.ModTime().UnixNano()); got != 1 {
		t.Fatalf("ingested_files rows with the file's modification time = %d, want 1", got)
	}
	// Different bytes of the same length with the old modification time put back: the
	// quick check cannot tell, which shows the file was not read.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "face_to_face", "FACE_TO_FACE", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name           string
		mtime          time.Time
		skipped, files int64 // files skipped by the run; ingested_files rows for the path
	}{
		{"same size and modification time", fi.ModTime(), 2, 1},
		{"new modification time", fi.ModTime().Add(time.Second), 1, 2},
	} {
		if err := os.Chtimes(path, c.mtime, c.mtime); err != nil {
			t.Fatal(err)
		}
		rec, err := f.ingest()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := rec.Steps[0].Rows["files_skipped"]; got != c.skipped {
			t.Errorf("%s: %d files skipped, want %d", c.name, got, c.skipped)
		}
		if got := f.count("SELECT count(*) FROM ingested_files WHERE path = ?", path); got != c.files {
			t.Errorf("%s: %d ingested_files rows for the file, want %d", c.name, got, c.files)
		}
	}
	if got := f.count("SELECT count(*) FROM attendances"); got != 5 {
		t.Errorf("attendances = %d, want 5 (the re-read file's rows replace the earlier copies)", got)
	}
	// The same bytes touched again: read once, found loaded, and the new modification
	// time remembered for the next run.
	touched := fi.ModTime().Add(2 * time.Second)
	if err := os.Chtimes(path, touched, touched); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	if got := f.count("SELECT count(*) FROM ingested_files WHERE path = ? AND modified_ns = ?", path, touched.UnixNano()); got != 1 {
		t.Errorf("rows remembering the touched file's modification time = %d, want 1", got)
	}
}

// TestMalformed runs every file of the malformed corpus after a good baseline: each gives
// its documented quarantine reason, or a one-line file error that leaves the data as it was.
func TestMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file   string
		reason string // row-level: quarantine reason of line 3
		column string
		lines  []int64 // quarantined lines when not just 3
		err    string  // file-level: substring of the error
	}{
		{file: "ref_missing_practice.csv", reason: "missing_value", column: "practice_code"},
		{file: "ref_missing_referral_id.csv", reason: "missing_value", column: "referral_id"},
		{file: "ref_impossible_date.csv", reason: "bad_date", column: "referral_date"},
		{file: "ref_text_date.csv", reason: "bad_date", column: "referral_date"},
		{file: "ref_future_date.csv", reason: "future_date", column: "referral_date"},
		{file: "ref_unknown_source.csv", reason: "unknown_code", column: "referral_source"},
		{file: "ref_unknown_sex.csv", reason: "unknown_code", column: "sex"},
		{file: "ref_unknown_ethnicity.csv", reason: "unknown_code", column: "ethnic_category"},
		{file: "ref_bad_age.csv", reason: "bad_integer", column: "age"},
		{file: "ref_age_out_of_range.csv", reason: "out_of_range", column: "age"},
		{file: "ref_closed_before_referral.csv", reason: "closed_before_referral", column: "closed_date"},
		{file: "ref_duplicate_id.csv", reason: "duplicate_id", column: "referral_id", lines: []int64{2, 3}},
		{file: "att_orphan.csv", reason: "orphan_attendance", column: "referral_id"},
		{file: "att_before_referral.csv", reason: "before_referral", column: "attendance_date"},
		{file: "att_unknown_status.csv", reason: "unknown_code", column: "status"},
		{file: "att_unknown_setting.csv", reason: "unknown_code", column: "setting"},
		{file: "att_unknown_mode.csv", reason: "unknown_code", column: "mode"},
		{file: "att_missing_date.csv", reason: "missing_value", column: "attendance_date"},
		{file: "att_duplicate_id.csv", reason: "duplicate_id", column: "attendance_id", lines: []int64{2, 3}},
		{file: "att_person_mismatch.csv", reason: "person_mismatch", column: "person_id"},
		// an id or code that is a spreadsheet's error value; free text keeps one (line 2)
		{file: "ref_spreadsheet_error_person.csv", reason: "spreadsheet_error", column: "person_id"},
		{file: "ref_spreadsheet_error_lsoa.csv", reason: "spreadsheet_error", column: "lsoa_code"},
		{file: "att_spreadsheet_error_worker.csv", reason: "spreadsheet_error", column: "worker_id"},
		// hostile or odd values parsed exactly
		{file: "ref_reserved_scheme.csv", reason: "reserved_id", column: "scheme_id"},
		{file: "ref_age_decimal.csv", reason: "bad_integer", column: "age"},
		{file: "ref_age_exponent.csv", reason: "bad_integer", column: "age"},
		{file: "ref_age_hex.csv", reason: "bad_integer", column: "age"},
		{file: "ref_scientific_person.csv", reason: "spreadsheet_error", column: "person_id"},
		{file: "ref_postcode_lsoa.csv", reason: "postcode_in_lsoa", column: "lsoa_code"},
		{file: "ref_semicolon.csv", err: "the header holds ';': is that its delimiter?"},
		{file: "ref_headerless.csv", err: "it has 13 columns and looks like a data row: is the header row missing?"},
		{file: "ref_us_dates.csv", err: "line 3: column referral_date: dates parse only with day and month swapped"},
		{file: "ref_nhs_numbers.csv", err: "column person_id: holds NHS numbers"},
		{file: "ref_missing_column.csv", err: "line 1: column referral_date: required column missing"},
		{file: "ref_empty.csv", err: "file is empty"},
		{file: "ref_not_utf8.csv", err: "not valid UTF-8"},
		{file: "ref_utf16.csv", err: "UTF-16"},
		{file: "ref_ragged_row.csv", err: "line 3: expected 13 fields, found 14"},
		{file: "ref_unclosed_quote.csv", err: "line 3: unterminated quoted field"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			f, _ := baselineUnmoved(t) // the cases look only at their own file
			var before map[string]string
			if c.err != "" {
				before = f.contents() // only a failed run must leave the data as it was
			}
			name := "referrals_1.csv"
			if strings.HasPrefix(c.file, "att_") {
				name = "attendances_1.csv"
			}
			f.put(filepath.Join("malformed", c.file), name)
			rec, err := f.ingest()
			if c.err != "" {
				if err == nil {
					t.Fatalf("ingest succeeded; want error containing %q", c.err)
				}
				if !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %q: want one line naming %s and containing %q", err, name, c.err)
				}
				if after := f.contents(); !equalMaps(before, after) {
					t.Errorf("failed run changed the data:\nbefore %v\nafter  %v", before, after)
				}
				if got := f.count("SELECT count(*) FROM runs WHERE status = 'failed' AND error LIKE '%' || ? || '%'", name); got != 1 {
					t.Errorf("runs rows recording the failure = %d, want 1", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			want := c.lines
			if want == nil {
				want = []int64{3}
			}
			db := f.db()
			rows, err := db.Query(`SELECT line, "column", reason FROM quarantine WHERE file LIKE '%' || ? ORDER BY line`, name)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []int64
			for rows.Next() {
				var line int64
				var col, reason string
				if err := rows.Scan(&line, &col, &reason); err != nil {
					t.Fatal(err)
				}
				if reason != c.reason || col != c.column {
					t.Errorf("line %d: quarantined %s/%s, want %s/%s", line, col, reason, c.reason, c.column)
				}
				got = append(got, line)
			}
			if !equalInts(got, want) {
				t.Errorf("quarantined lines %v, want %v", got, want)
			}
			loaded := rec.Steps[0].Rows["loaded"]
			if wantLoaded := dataRows(t, filepath.Join("testdata", "malformed", c.file)) - int64(len(want)); loaded != wantLoaded {
				t.Errorf("loaded %d rows, want %d", loaded, wantLoaded)
			}
		})
	}
}

// dataRows counts the records of a small CSV fixture below its header.
func dataRows(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return int64(strings.Count(strings.TrimRight(string(b), "\n"), "\n"))
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func equalInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLineNumbersLargeFile checks that records keep their number in the file when the
// staging runs in parallel: a file of several CSV scanner chunks (about 8 MB each) with
// bad rows spread through it, some with a quoted field spanning two physical lines.
func TestLineNumbersLargeFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testConfig)
	const n = 300000
	var b strings.Builder
	b.WriteString("referral_id,person_id,scheme_id,practice_code,referral_date,referral_source,referral_reason,outcome,closed_date,lsoa_code,sex,age,ethnic_category\n")
	var wantBad []int64
	for i := 1; i <= n; i++ {
		date, reason := "03/01/2024", "isolation"
		switch {
		case i%9973 == 0:
			date = "31/02/2024" // no such day: quarantined as bad_date
			wantBad = append(wantBad, int64(i+1))
		case i%7919 == 0:
			reason = "\"debt,\nhousing\"" // one record, two lines
		}
		fmt.Fprintf(&b, "R%07d,P%07d,S1,A81001,%s,gp,%s,accepted,,E01021988,F,54,A\n", i, i, date, reason)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "extracts", "referrals_0.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	f.write("attendances_0.csv", attHeader)
	if _, err := f.ingest(); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if got := f.count(`SELECT count(*) FROM referrals`); got != int64(n-len(wantBad)) {
		t.Fatalf("loaded %d referrals, want %d", got, n-len(wantBad))
	}
	// records are numbered with the header as 1, whatever lines a quoted field spans
	if got := f.count(`SELECT count(*) FROM referrals WHERE source_line <> CAST(substr(referral_id, 2) AS BIGINT) + 1`); got != 0 {
		t.Errorf("%d referrals carry a source_line that is not their record number", got)
	}
	db := f.db()
	rows, err := db.Query(`SELECT line FROM quarantine ORDER BY line`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var gotBad []int64
	for rows.Next() {
		var l int64
		if err := rows.Scan(&l); err != nil {
			t.Fatal(err)
		}
		gotBad = append(gotBad, l)
	}
	if !equalInts(gotBad, wantBad) {
		t.Errorf("quarantined lines %v, want %v", gotBad, wantBad)
	}
}
