package pipeline_test

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// gpConfig is testConfig with the GP extracts (design §3.6, §3.7); the fixture's events
// are mostly faults, so the rejected share allowed is raised.
const gpConfig = `database: db/socrx.duckdb
publish: db/published/socrx.duckdb
period: quarter
sources:
  referrals:   { path: "extracts/referrals*.csv", date_format: "%d/%m/%Y" }
  attendances: { path: "extracts/attendances*.csv", date_format: ["%d/%m/%Y"] }
  gp_patients: { path: "extracts/gp_patients*.csv", date_format: "%d/%m/%Y", mode: replace }
  gp_events:   { path: "extracts/gp_events*.csv", date_format: "%d/%m/%Y" }
ingest: { max_rejected_share: 0.9 }
schedule: { lock_wait: 1s }
`

// gpFixture is a project with the good platform extracts and the GP fixture.
func gpFixture(t *testing.T, yaml string) *fixture {
	t.Helper()
	f := newFixture(t, yaml)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	f.put("gp/gp_patients.csv", "gp_patients_1.csv")
	f.put("gp/gp_events.csv", "gp_events_1.csv")
	return f
}

// quarantined reads a file's quarantine as line → reason and column.
func (f *fixture) quarantined(file string) map[int64][2]string {
	f.t.Helper()
	db := f.db()
	defer db.Close()
	rows, err := db.Query(`SELECT line, reason, "column" FROM quarantine WHERE file LIKE ? ORDER BY line`, "%"+file)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	got := map[int64][2]string{}
	for rows.Next() {
		var line int64
		var reason, column string
		if err := rows.Scan(&line, &reason, &column); err != nil {
			f.t.Fatal(err)
		}
		got[line] = [2]string{reason, column}
	}
	return got
}

func checkQuarantine(t *testing.T, file string, got, want map[int64][2]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: quarantined lines %v, want %v", file, got, want)
	}
	for line, w := range want {
		if got[line] != w {
			t.Errorf("%s: line %d quarantined as %v, want %v", file, line, got[line], w)
		}
	}
}

// gpPatientsQuarantine is how testdata/gp/gp_patients.csv is quarantined: line → reason
// and column.
func gpPatientsQuarantine() map[int64][2]string {
	return map[int64][2]string{
		7:  {"ended_before_registered", "registered_to"},
		8:  {"bad_code", "ethnicity_code"}, // check digit wrong
		9:  {"missing_value", "person_id"},
		10: {"bad_date", "registered_from"},
		11: {"future_date", "registered_to"},
	}
}

// gpEventsQuarantine is how testdata/gp/gp_events.csv is quarantined against that list.
func gpEventsQuarantine() map[int64][2]string {
	return map[int64][2]string{
		5:  {"not_registered", "person_id"}, // left A81001 at the end of 2023
		7:  {"bad_code", "code"},            // a national code with its check digit changed
		9:  {"not_registered", "person_id"}, // before the registration began
		11: {"bad_number", "value"},
		12: {"not_registered", "person_id"}, // not on the list at all
		13: {"bad_code", "code"},            // a Read v2 code of four characters
		14: {"unknown_code", "code_system"},
		15: {"not_registered", "person_id"}, // registered at another practice
		17: {"duplicate_id", "event_key"},   // no event_id: a repeat of line 16
		18: {"future_date", "event_date"},
		19: {"not_registered", "person_id"}, // the registration itself was quarantined
	}
}

// checkFailed checks a run failed with one line holding every want, that no never (a
// value from a data row) is in the error or the log, and that the data are as before.
func checkFailed(t *testing.T, f *fixture, err error, log string, before map[string]string, want, never []string) {
	t.Helper()
	if err == nil {
		t.Fatal("ingest succeeded; want it to fail")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
	for _, n := range never {
		if strings.Contains(msg, n) || strings.Contains(log, n) {
			t.Errorf("a value from a data row, %q, is in the error or the log", n)
		}
	}
	if after := f.contents(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("a failed run changed the data:\nbefore %v\nafter  %v", before, after)
	}
}

// TestGPIngest loads the hand-made registered list and events: each broken rule on its
// line, the registered list counted by hand, codes kept as written with their systems,
// and the files skipped when sent again unchanged.
func TestGPIngest(t *testing.T) {
	t.Parallel()
	f := gpFixture(t, gpConfig)
	if _, err := f.ingest(); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	checkQuarantine(t, "gp_patients_1.csv", f.quarantined("gp_patients_1.csv"), gpPatientsQuarantine())
	checkQuarantine(t, "gp_events_1.csv", f.quarantined("gp_events_1.csv"), gpEventsQuarantine())
	// The registered list at the mid-point of 2024 Q1 (15 February), counted by hand:
	// A81001 has G01 and G04 (G02 left in 2023), A81002 has G02 and G03.
	for _, c := range []struct {
		practice string
		want     int64
	}{{"A81001", 2}, {"A81002", 2}} {
		q := `SELECT count(DISTINCT person_id) FROM gp_patients WHERE practice_code = ?
			AND registered_from <= DATE '2024-02-15' AND (registered_to IS NULL OR DATE '2024-02-15' <= registered_to)`
		if got := f.count(q, c.practice); got != c.want {
			t.Errorf("registered at %s on 2024-02-15 = %d, want %d", c.practice, got, c.want)
		}
	}
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT count(*) FROM gp_patients`, 5},
		{`SELECT count(*) FROM gp_events`, 7},
		{`SELECT count(*) FROM gp_events WHERE code = '8T08.' AND code_system = 'read2' AND source_line = 6`, 1},
		{`SELECT count(*) FROM gp_events WHERE code = 'XaXfp' AND code_system = 'ctv3'`, 1},
		{`SELECT count(*) FROM gp_events WHERE event_id = 'E09' AND value = 1234.5 AND code_system = 'snomed'`, 1},
		{`SELECT count(*) FROM gp_events WHERE event_id IS NULL AND code = '73211009' AND source_line = 16`, 1},
		{`SELECT count(*) FROM gp_events WHERE code_system IS NULL`, 0},
		{`SELECT count(*) FROM gp_patients WHERE person_id = 'G03' AND ethnicity_code = '44054006'`, 1},
		{`SELECT count(*) FROM codelist_codes WHERE source = 'default'`, 2},
		{`SELECT count(*) FROM codelist_codes WHERE role = 'sp_referral' AND code = '871731000000106' AND term = 'Referral to social prescribing service'`, 1},
		{`SELECT count(*) FROM codelist_codes WHERE role = 'sp_declined' AND code = '871711000000103' AND term = 'Social prescribing declined'`, 1},
	} {
		if got := f.count(c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}

	before := f.contents()
	files := f.count(`SELECT count(*) FROM ingested_files`)
	if _, err := f.ingest(); err != nil {
		t.Fatalf("second ingest: %v", err)
	}
	if got := f.count(`SELECT count(*) FROM ingested_files`); got != files {
		t.Errorf("ingested files after sending the same files again = %d, want %d (skipped)", got, files)
	}
	if after := f.contents(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("an unchanged re-sent file changed the data:\nbefore %v\nafter  %v", before, after)
	}
}

// TestGPRejectedShareFailsAtomically: under the default max_rejected_share the events
// file (11 of 18 rows quarantined) fails the run, and nothing of the run is kept, the
// registered list loaded before it included.
func TestGPRejectedShareFailsAtomically(t *testing.T) {
	t.Parallel()
	f := gpFixture(t, strings.Replace(gpConfig, "ingest: { max_rejected_share: 0.9 }\n", "", 1))
	// the platform extracts and the list alone first, so there is data for the failure
	// to leave alone
	events := filepath.Join(f.dir, "extracts", "gp_events_1.csv")
	if err := os.Rename(events, filepath.Join(f.dir, "gp_events_1.csv")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ingest(); err != nil {
		t.Fatalf("ingest without events: %v", err)
	}
	before := f.contents()
	patients := f.count(`SELECT count(*) FROM gp_patients`)
	if err := os.Rename(filepath.Join(f.dir, "gp_events_1.csv"), events); err != nil {
		t.Fatal(err)
	}
	// a new registered list in the same run: loaded before the events, then undone
	list, err := os.ReadFile(filepath.Join("testdata", "gp", "gp_patients.csv"))
	if err != nil {
		t.Fatal(err)
	}
	f.write("gp_patients_2.csv", string(list)+"G20,A81001,01/01/2024,,,,,,\n")
	_, log, err := f.ingestLogged()
	checkFailed(t, f, err, log, before, []string{"gp_events_1.csv", "11 of 18 rows quarantined", "max_rejected_share"},
		[]string{"871731000000107", "G09", "abc"})
	if got := f.count(`SELECT count(*) FROM gp_patients`); got != patients {
		t.Errorf("gp_patients after the failed run = %d, want %d", got, patients)
	}
}

// TestGPNHSNumbersRefused: the identifier guard covers the GP extracts' person_id.
func TestGPNHSNumbersRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, gpConfig)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	var b strings.Builder
	b.WriteString("person_id,practice_code,registered_from\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "%s,A81001,01/01/2024\n", nhsNumber(i*31, true))
	}
	f.write("gp_patients_1.csv", b.String())
	_, log, err := f.ingestLogged()
	if err == nil || !strings.Contains(err.Error(), "holds NHS numbers") || !strings.Contains(err.Error(), "gp_patients_1.csv") {
		t.Fatalf("ingest error = %v, want the file refused for NHS numbers", err)
	}
	if n := nhsNumber(0, true); strings.Contains(err.Error(), n) || strings.Contains(log, n) {
		t.Error("an NHS number is in the error or the log")
	}
	if got := f.count(`SELECT count(*) FROM gp_patients`); got != 0 {
		t.Errorf("gp_patients = %d, want 0", got)
	}
}

// TestCodelists: a configured codelist replaces its role's default, the other national
// role keeps its default, and a codelist with a bad code fails the run on one line naming
// the file, line and column but not the code, leaving the data as it was.
func TestCodelists(t *testing.T) {
	t.Parallel()
	f := gpFixture(t, gpConfig)
	if err := os.MkdirAll(filepath.Join(f.dir, "codelists"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(f.dir, "codelists", name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("referral.csv", "\ufeffCTV3ID,Description\n871731000000106,Referral to social prescribing service\nXaXfp,Local referral code\n\n")
	write("offer.csv", "code,term\n38341003,Offered (local)\n")
	cfg := gpConfig + `codelists:
  sp_referral: { path: "codelists/referral.csv", columns: { code: ctv3id, term: description } }
  local_offer: { path: "codelists/offer.csv" }
`
	f.reconfigure(cfg)
	if _, err := f.ingest(); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT count(*) FROM codelist_codes`, 4},
		{`SELECT count(*) FROM codelist_codes WHERE role = 'sp_referral' AND source = 'codelists/referral.csv'`, 2},
		{`SELECT count(*) FROM codelist_codes WHERE role = 'sp_declined' AND source = 'default'`, 1},
		{`SELECT count(*) FROM codelist_codes WHERE role = 'local_offer' AND code = '38341003' AND term = 'Offered (local)'`, 1},
	} {
		if got := f.count(c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}

	before := f.contents()
	codes := f.count(`SELECT count(*) FROM codelist_codes`)
	write("offer.csv", "code,term\n38341003,Offered (local)\n38341004,Corrupted\n")
	f.write("gp_patients_2.csv", "person_id,practice_code,registered_from\nG20,A81001,01/01/2024\n")
	_, log, err := f.ingestLogged()
	checkFailed(t, f, err, log, before, []string{"offer.csv", "line 3", "column code", "local_offer"}, []string{"38341004"})
	if got := f.count(`SELECT count(*) FROM codelist_codes`); got != codes {
		t.Errorf("codelist codes after the failed run = %d, want %d", got, codes)
	}
}

// TestGPFormats: the GP extracts go through the same connectors as the others; the
// fixture as Parquet (text columns) and as XLSX workbooks (a title row above the header)
// loads and is quarantined as the CSV is, row for row.
func TestGPFormats(t *testing.T) {
	t.Parallel()
	for _, format := range []string{"parquet", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			cfg := strings.NewReplacer("gp_patients*.csv", "gp_patients*."+format, "gp_events*.csv", "gp_events*."+format).Replace(gpConfig)
			f := newFixture(t, cfg)
			f.put("good/referrals.csv", "referrals_0.csv")
			f.put("good/attendances.csv", "attendances_0.csv")
			for _, kind := range []string{"gp_patients", "gp_events"} {
				src := filepath.Join("testdata", "gp", kind+".csv")
				dst := filepath.Join(f.dir, "extracts", kind+"_1."+format)
				if format == "parquet" {
					writeParquet(t, src, dst)
				} else {
					writeXLSX(t, src, dst)
				}
			}
			if _, err := f.ingest(); err != nil {
				t.Fatalf("ingest: %v", err)
			}
			// a quarantined line of a workbook is its sheet row: one below, for the title
			shift := int64(0)
			if format == "xlsx" {
				shift = 1
			}
			shifted := func(m map[int64][2]string) map[int64][2]string {
				out := map[int64][2]string{}
				for line, w := range m {
					out[line+shift] = w
				}
				return out
			}
			checkQuarantine(t, "gp_patients_1."+format, f.quarantined("gp_patients_1."+format), shifted(gpPatientsQuarantine()))
			checkQuarantine(t, "gp_events_1."+format, f.quarantined("gp_events_1."+format), shifted(gpEventsQuarantine()))
			if got := f.count(`SELECT count(*) FROM gp_events`); got != 7 {
				t.Errorf("gp_events = %d, want 7", got)
			}
			if got := f.count(`SELECT count(*) FROM gp_patients`); got != 5 {
				t.Errorf("gp_patients = %d, want 5", got)
			}
		})
	}
}

// writeParquet copies a CSV to Parquet, every column as text.
func writeParquet(t *testing.T, src, dst string) {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`COPY (SELECT * FROM read_csv(?, all_varchar = true)) TO '`+dst+`' (FORMAT parquet)`, src); err != nil {
		t.Fatal(err)
	}
}

// writeXLSX copies a CSV to the first sheet of a workbook below a title row, every cell
// as text, so the sheet's row numbers are the CSV's line numbers plus one.
func writeXLSX(t *testing.T, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	records, err := csv.NewReader(in).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	x := excelize.NewFile()
	defer x.Close()
	title := []any{"GP search export"}
	if err := x.SetSheetRow("Sheet1", "A1", &title); err != nil {
		t.Fatal(err)
	}
	for i, rec := range records {
		row := make([]any, len(rec))
		for j, v := range rec {
			if v != "" {
				row[j] = v
			}
		}
		if err := x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.SaveAs(dst); err != nil {
		t.Fatal(err)
	}
}
