package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socrx/socrx/pipeline"
)

// gpExportConfig maps the practice-system exports of testdata/gp_export (an EMIS Web
// search export of coded events and one of the registered list: report metadata above
// the header, headers in words, UK dates) to the contract with only config, and runs
// them with no platform extracts (GP-only use, design §10, §12).
const gpExportConfig = `database: db/socrx.duckdb
publish: db/published/socrx.duckdb
reports: reports
period: quarter
sources:
  gp_patients:
    path: "extracts/registered_list*.csv"
    format: emis
    mode: replace
    date_format: "%d/%m/%Y"
    columns:
      person_id: "Patient ID"
      practice_code: "Organisation code"
      registered_from: "Registration date"
      registered_to: "Deregistration date"
      lsoa_code: "LSOA code"
      sex: "Gender"
      age: "Age"
      ethnicity_code: "Ethnicity SNOMED CT concept ID"
    values:
      sex: { Female: F, Male: M, Indeterminate: I, Unknown: U }
  gp_events:
    path: "extracts/sp_coded_events*.csv"
    format: emis
    date_format: "%d-%b-%Y"
    columns:
      person_id: "Patient ID"
      practice_code: "Organisation code"
      event_date: "Date"
      code: "SNOMED CT concept ID"
      value: "Value"
codelists:
  ethnicity: { path: "codelists/ethnicity.csv", columns: { category: Grouping_16 } }
schedule: { lock_wait: 1s }
`

// gpExportLogical is after 2024 Q4 and its report lag: every quarter of 2024 is due.
var gpExportLogical = time.Date(2025, 2, 1, 2, 0, 0, 0, time.UTC)

// gpExportFixture is a GP-only project holding the practice-system exports.
func gpExportFixture(t *testing.T) *fixture {
	t.Helper()
	// the codelist must be there when the config loads: it is configuration
	noCodelists := strings.Replace(gpExportConfig, "codelists:\n  ethnicity:", "#", 1)
	f := newFixture(t, noCodelists)
	f.put("gp_export/registered_list.csv", "registered_list_2025-01.csv")
	f.put("gp_export/sp_coded_events.csv", "sp_coded_events_2025-01.csv")
	if err := os.MkdirAll(filepath.Join(f.dir, "codelists"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(filepath.Join("testdata", "gp_export", "ethnicity_codelist.csv"), filepath.Join(f.dir, "codelists", "ethnicity.csv")); err != nil {
		t.Fatal(err)
	}
	f.reconfigure(gpExportConfig)
	return f
}

// TestGPExportLoads: the exports land row by row as the contract reads them, each
// refused row quarantined on its record number in the export (metadata rows counted).
func TestGPExportLoads(t *testing.T) {
	t.Parallel()
	f := gpExportFixture(t)
	if _, err := f.runner().Run(context.Background(), pipeline.RunSpec{Job: "ingest", Trigger: pipeline.TriggerManual,
		Logical: gpExportLogical, Steps: []string{"ingest"}}); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	db := f.db()
	defer db.Close()
	// the registered list: mapped headers, UK dates, labels mapped to codes
	type patient struct{ person, practice, from, to, lsoa, sex, age, ethnicity string }
	want := map[string]patient{
		"P001": {"P001", "A81001", "2015-04-01", "", "E01021988", "F", "54", "976631000000101"},
		"P005": {"P005", "A81002", "2022-11-30", "", "E01021988", "I", "45", ""},
		"P007": {"P007", "A81002", "2018-03-11", "2024-07-31", "E01017787", "M", "80", ""},
		"P008": {"P008", "A81001", "2023-08-19", "", "", "U", "", "92541000000108"},
	}
	for id, w := range want {
		var p patient
		err := db.QueryRow(`SELECT person_id, practice_code, strftime(registered_from, '%Y-%m-%d'),
			coalesce(strftime(registered_to, '%Y-%m-%d'), ''), coalesce(lsoa_code, ''), coalesce(sex::VARCHAR, ''),
			coalesce(age::VARCHAR, ''), coalesce(ethnicity_code, '') FROM gp_patients WHERE person_id = ?`, id).
			Scan(&p.person, &p.practice, &p.from, &p.to, &p.lsoa, &p.sex, &p.age, &p.ethnicity)
		if err != nil {
			t.Fatalf("gp_patients %s: %v", id, err)
		}
		if p != w {
			t.Errorf("gp_patients %s = %+v, want %+v", id, p, w)
		}
	}
	if n := f.count(`SELECT count(*) FROM gp_patients`); n != 8 {
		t.Errorf("%d registrations loaded, want 8", n)
	}
	// the events: 11 rows, of which one bad date and two people not registered on the day
	checkQuarantine(t, "sp_coded_events_2025-01.csv", f.quarantined("sp_coded_events_2025-01.csv"), map[int64][2]string{
		14: {"bad_date", "event_date"},      // 31-Feb-2024
		15: {"not_registered", "person_id"}, // left the practice on 31 July
		16: {"not_registered", "person_id"}, // not on the registered list
	})
	if n := f.count(`SELECT count(*) FROM gp_events`); n != 8 {
		t.Errorf("%d events loaded, want 8", n)
	}
	var date, code, system string
	var value float64
	if err := db.QueryRow(`SELECT strftime(event_date, '%Y-%m-%d'), code, code_system::VARCHAR, value FROM gp_events
		WHERE person_id = 'P003' AND value IS NOT NULL`).Scan(&date, &code, &system, &value); err != nil {
		t.Fatal(err)
	}
	if date != "2024-03-14" || code != "38341003" || system != "snomed" || value != 1234.5 {
		t.Errorf("P003's event: %s %s %s %g; want 2024-03-14 38341003 snomed 1234.5", date, code, system, value)
	}
	if n := f.count(`SELECT count(*) FROM gp_events WHERE source_line = 7 AND event_date = DATE '2024-01-12' AND person_id = 'P001'`); n != 1 {
		t.Errorf("the first data row is not record 7 of the export (5 metadata records, the header; the blank line is no record)")
	}
	// the ethnicity codelist, Grouping_16 read as NHS ethnic category letters
	rows, err := db.Query(`SELECT code, category FROM codelist_codes WHERE role = 'ethnicity' ORDER BY code`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var c, cat string
		if err := rows.Scan(&c, &cat); err != nil {
			t.Fatal(err)
		}
		got[c] = cat
	}
	wantCats := map[string]string{"976631000000101": "A", "494131000000105": "B", "92491000000104": "J",
		"92511000000107": "M", "92541000000108": "R"}
	if len(got) != len(wantCats) {
		t.Errorf("ethnicity codelist %v, want %v", got, wantCats)
	}
	for c, w := range wantCats {
		if got[c] != w {
			t.Errorf("ethnicity code %s: category %q, want %q", c, got[c], w)
		}
	}
	if n := f.count(`SELECT count(*) FROM codelist_codes WHERE role <> 'ethnicity' AND category IS NOT NULL`); n != 0 {
		t.Errorf("%d codes of other roles have a category", n)
	}
}

// TestGPOnlyRun runs a config with only the GP record's extracts end to end: validate,
// then ingest, transform, report and publish in one run. data_end defaults to the latest
// event date, the GP-coded referrals are built, and the reports are written with no
// platform data.
func TestGPOnlyRun(t *testing.T) {
	t.Parallel()
	f := gpExportFixture(t)
	ctx := context.Background()
	if _, err := f.runner().Validate(ctx, gpExportLogical); err != nil {
		t.Fatalf("validate: %v", err)
	}
	rec, err := f.runner().Run(ctx, pipeline.RunSpec{Job: "gp-only", Trigger: pipeline.TriggerManual,
		Logical: gpExportLogical, Steps: []string{"ingest", "transform", "report", "publish"}})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if rec.Status != pipeline.RunSucceeded {
		t.Errorf("run %s: %s", rec.Status, rec.Error)
	}
	if got := rec.DataEnd.Format(time.DateOnly); got != "2024-12-10" {
		t.Errorf("data_end %s, want 2024-12-10 (the latest event date)", got)
	}
	var status, dataEnd string
	db := f.db()
	if err := db.QueryRow(`SELECT status, strftime(data_end, '%Y-%m-%d') FROM runs WHERE run_id = ?`, rec.ID).Scan(&status, &dataEnd); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if status != string(pipeline.RunSucceeded) || dataEnd != "2024-12-10" {
		t.Errorf("runs row: %s, data_end %s; want succeeded, 2024-12-10", status, dataEnd)
	}
	// P001's two codes 17 days apart are one referral; P002's referral was declined; P004
	// declined an offer; P005's and P003's December code are referrals of their own
	if n := f.count(`SELECT count(*) FROM gp_referrals`); n < 4 {
		t.Errorf("%d GP-coded referrals, want at least 4", n)
	}
	if n := f.count(`SELECT count(*) FROM referrals`) + f.count(`SELECT count(*) FROM attendances`); n != 0 {
		t.Errorf("%d platform rows in a GP-only run", n)
	}
	if _, err := os.Stat(filepath.Join(f.dir, "reports", "index.html")); err != nil {
		t.Errorf("no reports/index.html: %v", err)
	}
	if _, err := os.Stat(f.runner().Cfg.Resolve(f.cfg.Publish)); err != nil {
		t.Errorf("nothing published: %v", err)
	}
}
