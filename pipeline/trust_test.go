package pipeline_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/pipeline"
)

// The tests of this file are named after what a user or an attacker would try: mistakes
// fail loudly or are recoverable, hostile values are harmless.

const refHeader = "referral_id,person_id,scheme_id,practice_code,referral_date,referral_source,referral_reason,outcome,closed_date,lsoa_code,sex,age,ethnic_category\n"
const attHeader = "attendance_id,referral_id,attendance_date,setting,status,worker_id,provider_id,activity_category,mode\n"

// write puts content into the extracts directory.
func (f *fixture) write(name, content string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, "extracts", name), []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

// reconfigure rewrites the fixture's config.
func (f *fixture) reconfigure(yaml string) {
	f.t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, "socrx.yaml"), []byte(yaml), 0o644); err != nil {
		f.t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(f.dir, "socrx.yaml"))
	if err != nil {
		f.t.Fatal(err)
	}
	f.cfg = cfg
}

// ingestLogged runs an ingest with its log captured.
func (f *fixture) ingestLogged(reload ...string) (*pipeline.RunRecord, string, error) {
	var buf bytes.Buffer
	r := &pipeline.Runner{Cfg: f.cfg, Log: zerolog.New(&buf), Version: "test"}
	rec, err := r.Run(context.Background(), pipeline.RunSpec{Job: "ingest", Trigger: pipeline.TriggerManual,
		Logical: logical, Steps: []string{"ingest"}, Reload: reload})
	return rec, buf.String(), err
}

// attendancesWithSetting writes n attendances of referral R001 whose setting is
// "Link Worker" on every row i with bad(i), else link_worker.
func attendancesWithSetting(n int, bad func(int) bool) string {
	var b strings.Builder
	b.WriteString(attHeader)
	for i := 0; i < n; i++ {
		setting := "link_worker"
		if bad(i) {
			setting = "Link Worker"
		}
		fmt.Fprintf(&b, "B%03d,R001,%02d/02/2024,%s,attended,W1,,,telephone\n", i, 1+i%28, setting)
	}
	return b.String()
}

func TestMappingFixReloads(t *testing.T) {
	t.Parallel()
	f := baseline(t)
	// 3 of 10 rows use a label the values map does not know yet: they are quarantined,
	// the other 7 load
	f.write("attendances_1.csv", attendancesWithSetting(10, func(i int) bool { return i%3 == 0 && i > 0 }))
	if _, err := f.ingest(); err != nil {
		t.Fatalf("first ingest: %v", err)
	}
	if got := f.count(`SELECT count(*) FROM quarantine WHERE reason = 'unknown_code' AND "column" = 'setting'`); got != 3 {
		t.Fatalf("quarantined settings = %d, want 3", got)
	}
	// the mapping is fixed: the next run reads the file again under it
	fixed := strings.Replace(testConfig, `attendances: { path: "extracts/attendances*.csv", date_format: ["%d/%m/%Y"] }`,
		`attendances: { path: "extracts/attendances*.csv", date_format: ["%d/%m/%Y"], values: { setting: { "Link Worker": link_worker } } }`, 1)
	if fixed == testConfig {
		t.Fatal("test config changed: the values map was not added")
	}
	f.reconfigure(fixed)
	rec, log, err := f.ingestLogged()
	if err != nil {
		t.Fatalf("ingest after the fix: %v", err)
	}
	if got := f.count(`SELECT count(*) FROM quarantine`); got != 0 {
		t.Errorf("quarantine after the fix = %d rows, want 0", got)
	}
	if got := f.count(`SELECT count(*) FROM attendances WHERE attendance_id LIKE 'B%'`); got != 10 {
		t.Errorf("attendances of the fixed file = %d, want 10", got)
	}
	if got := f.count(`SELECT count(*) FROM ingested_files WHERE path LIKE '%attendances_1.csv'`); got != 1 {
		t.Errorf("ingested_files rows of the re-read file = %d, want 1 (it keeps its file_id)", got)
	}
	if !strings.Contains(log, "read again under the current settings") {
		t.Errorf("the log does not say the file was read again:\n%s", log)
	}
	if rec.Steps[0].Rows["loaded"] == 0 {
		t.Errorf("the run reports nothing loaded")
	}
	// nothing changed since: nothing is read again
	rec, _, err = f.ingestLogged()
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Steps[0].Rows["files_skipped"]; got != 3 {
		t.Errorf("files skipped by an unchanged run = %d, want 3", got)
	}
	// asked for by name, a source is read again; its rows do not double
	rec, _, err = f.ingestLogged("attendances[0]")
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Steps[0].Rows["files_skipped"]; got != 1 {
		t.Errorf("files skipped by --reload attendances[0] = %d, want 1 (the referrals file)", got)
	}
	if got := f.count(`SELECT count(*) FROM attendances`); got != 15 {
		t.Errorf("attendances after a reload = %d, want 15", got)
	}
}

// TestReloadedReferralsRereadAttendances: attendances are checked against referrals, so
// reading the referrals again reads them again too: an attendance of a referral that was
// quarantined under the wrong mapping loads once the referral does.
func TestReloadedReferralsRereadAttendances(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testConfig)
	var refs strings.Builder
	refs.WriteString(refHeader)
	for i := 1; i <= 4; i++ {
		source := "gp"
		if i == 4 {
			source = "Health Visitor"
		}
		fmt.Fprintf(&refs, "R%03d,P%03d,S1,A81001,0%d/01/2024,%s,,accepted,,E01021988,F,50,A\n", i, i, i, source)
	}
	f.write("referrals_0.csv", refs.String())
	f.write("attendances_0.csv", attHeader+"A001,R001,10/01/2024,link_worker,attended,W1,,,telephone\n"+
		"A002,R002,10/01/2024,link_worker,attended,W1,,,telephone\nA003,R004,10/01/2024,link_worker,attended,W1,,,telephone\n")
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	if got := f.count(`SELECT count(*) FROM quarantine WHERE reason = 'referral_quarantined' AND record_id = 'A003'`); got != 1 {
		t.Fatalf("the attendance of the quarantined referral: %d rows as referral_quarantined, want 1", got)
	}
	f.reconfigure(strings.Replace(testConfig, `referrals:   { path: "extracts/referrals*.csv", date_format: "%d/%m/%Y" }`,
		`referrals:   { path: "extracts/referrals*.csv", date_format: "%d/%m/%Y", values: { referral_source: { "Health Visitor": other_primary_care } } }`, 1))
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	if got := f.count(`SELECT count(*) FROM quarantine`); got != 0 {
		t.Errorf("quarantine after the fix = %d, want 0", got)
	}
	if got := f.count(`SELECT count(*) FROM attendances WHERE referral_id = 'R004'`); got != 1 {
		t.Errorf("attendances of R004 = %d, want 1", got)
	}
}

func TestMostlyRejectedFileFails(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, file, content string
		want                []string // in the one-line error
		never               []string // never in the error or the log
	}{
		{
			name: "ISO dates under a UK date_format", file: "referrals_1.csv",
			content: refHeader + "R201,P201,S1,A81001,2024-03-05,gp,,accepted,,E01000002,F,60,A\n" +
				"R202,P202,S1,A81001,2024-03-06,gp,,accepted,,E01000002,F,61,A\nR203,P203,S1,A81001,07/03/2024,gp,,accepted,,E01000002,F,62,A\n",
			want: []string{"referrals_1.csv", "column referral_date", "2 of 3 rows quarantined", "bad_date (2 rows)", "max_rejected_share",
				"most of them read as %Y-%m-%d: is that the source's date_format?"},
			never: []string{"2024-03-05", "P201"},
		},
		{
			name: "an unmapped setting label", file: "attendances_1.csv",
			content: attendancesWithSetting(10, func(i int) bool { return i < 8 }),
			want:    []string{"attendances_1.csv", "column setting", "8 of 10 rows quarantined", "unknown_code (8 rows, e.g. \"Link Worker\")"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := baseline(t)
			before := f.contents()
			f.write(c.file, c.content)
			_, log, err := f.ingestLogged()
			if err == nil {
				t.Fatal("ingest succeeded; want it to fail")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			for _, n := range c.never {
				if strings.Contains(msg, n) || strings.Contains(log, n) {
					t.Errorf("a value from the rows, %q, reached the error or the log", n)
				}
			}
			if after := f.contents(); !equalMaps(before, after) {
				t.Errorf("the failed run changed the data")
			}
		})
	}
}

func TestMissingSourceFails(t *testing.T) {
	t.Parallel()
	f := newFixture(t, strings.Replace(testConfig, "extracts/referrals*.csv", "extracts/referals.csv", 1))
	f.put("good/attendances.csv", "attendances_0.csv")
	_, err := f.ingest()
	if err == nil || !strings.Contains(err.Error(), "sources.referrals.path") || !strings.Contains(err.Error(), "matches no file") {
		t.Fatalf("ingest with a misspelt referrals path: %v; want a failure naming sources.referrals.path", err)
	}
	res, verr := f.runner().Validate(context.Background(), logical)
	if verr == nil {
		t.Errorf("validate passed a config whose referrals path matches nothing")
	}
	if len(res.Files) == 0 || res.Files[0].Error == "" {
		t.Errorf("validate lists %+v; want the referrals source as failed", res.Files)
	}
	if got := f.count(`SELECT count(*) FROM attendances`); got != 0 {
		t.Errorf("attendances loaded = %d, want none", got)
	}

	// an optional source that matches nothing is a warning, not a failure
	g := newFixture(t, strings.Replace(testConfig, "sources:\n", "sources:\n  population: { path: \"extracts/gp-reg*.csv\" }\n", 1))
	g.put("good/referrals.csv", "referrals_0.csv")
	g.put("good/attendances.csv", "attendances_0.csv")
	_, log, err := g.ingestLogged()
	if err != nil {
		t.Fatalf("ingest with an optional source matching nothing: %v", err)
	}
	if !strings.Contains(log, `"level":"warn"`) || !strings.Contains(log, "optional source matches no file") {
		t.Errorf("no warning in the log:\n%s", log)
	}
}

func TestDataEndDefaultsToTheData(t *testing.T) {
	t.Parallel()
	f := baseline(t) // latest date in the data: 2024-03-20 (a closed date does not count)
	db, err := pipeline.OpenDB(context.Background(), f.runner().DBPath(), pipeline.DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := pipeline.DataEnd(context.Background(), db, f.cfg, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 2, 2, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("data_end = %s, want %s (the latest referral or attendance date)", got.Format(time.DateOnly), want.Format(time.DateOnly))
	}
	// a configured data_end after the data is used, with a warning
	f.reconfigure(testConfig + "data_end: 2025-01-31\n")
	var buf bytes.Buffer
	got, err = pipeline.DataEnd(context.Background(), db, f.cfg, zerolog.New(&buf))
	if err != nil {
		t.Fatal(err)
	}
	if got.Format(time.DateOnly) != "2025-01-31" || !strings.Contains(buf.String(), "after the latest date in the data") {
		t.Errorf("configured data_end: %s, log %q", got.Format(time.DateOnly), buf.String())
	}
	db.Close()
	// a run records the data_end its transform used
	f.reconfigure(testConfig)
	if _, err := f.runner().Run(context.Background(), pipeline.RunSpec{Job: "transform", Trigger: pipeline.TriggerManual,
		Logical: time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC), Steps: []string{"transform"}}); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM runs WHERE job = 'transform' AND data_end = DATE '2024-02-02'`); n != 1 {
		t.Errorf("runs rows recording data_end 2024-02-02 = %d, want 1", n)
	}
}

func TestUnknownSchemeQuarantined(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testConfig+"schemes:\n  - { id: S1, name: One }\n")
	f.put("good/referrals.csv", "referrals_0.csv") // R004 is for S2, which the config does not list
	f.put("good/attendances.csv", "attendances_0.csv")
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	if got := f.count(`SELECT count(*) FROM quarantine WHERE reason = 'unknown_scheme' AND "column" = 'scheme_id' AND line = 5`); got != 1 {
		t.Errorf("R004 (scheme S2) quarantined as unknown_scheme: %d rows, want 1", got)
	}
	if got := f.count(`SELECT count(DISTINCT scheme_id) FROM referrals`); got != 1 {
		t.Errorf("schemes loaded = %d, want 1", got)
	}
}

// nhsNumber returns a ten-digit number passing (valid) or failing the modulus 11 check.
func nhsNumber(seed int, valid bool) string {
	for x := seed; ; x++ {
		d := fmt.Sprintf("%09d", (x*7919+12345)%1_000_000_000)
		sum := 0
		for i := 0; i < 9; i++ {
			sum += int(d[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check == 10 {
			continue // no valid number with these nine digits
		}
		if valid {
			return d + fmt.Sprint(check)
		}
		return d + fmt.Sprint((check+1)%10)
	}
}

func TestNHSNumbersAmongPseudonyms(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		column string // which id column carries the numbers
		share  int    // percent of rows with a valid NHS number
		refuse bool
	}{
		{"40 percent in person_id", "person_id", 40, true},
		{"25 percent in referral_id", "referral_id", 25, true},
		{"none: random ten-digit pseudonyms", "person_id", -1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, testConfig)
			rng := rand.New(rand.NewPCG(7, 11))
			var b strings.Builder
			b.WriteString(refHeader)
			for i := 0; i < 400; i++ {
				id := nhsNumber(i, false)
				switch {
				case c.share < 0: // random digits: about 1 in 11 pass the check by chance
					id = fmt.Sprintf("%010d", rng.Uint64N(10_000_000_000))
				case i*100 < c.share*400:
					id = nhsNumber(i, true)
				}
				ref, person := fmt.Sprintf("R%04d", i), fmt.Sprintf("P%04d", i)
				if c.column == "person_id" {
					person = id
				} else {
					ref = id
				}
				fmt.Fprintf(&b, "%s,%s,S1,A81001,05/03/2024,gp,,accepted,,E01000002,F,60,A\n", ref, person)
			}
			f.write("referrals_0.csv", b.String())
			f.put("good/attendances.csv", "attendances_0.csv")
			_, err := f.ingest()
			if !c.refuse {
				if err != nil && strings.Contains(err.Error(), "NHS numbers") {
					t.Fatalf("random ten-digit pseudonyms refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "column "+c.column+": holds NHS numbers") {
				t.Fatalf("ingest: %v; want the file refused for NHS numbers in %s", err, c.column)
			}
		})
	}
}

func TestFreeTextIdentifiersMasked(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testConfig)
	f.write("referrals_0.csv", refHeader+
		"R001,P001,S1,A81001,03/01/2024,gp,isolation;low_mood,accepted,,E01000002,F,60,A\n"+
		"R002,P002,S1,A81001,05/01/2024,gp,\"rang 943 476 5919, lives at sw1a 1aa\",accepted,,E01000002,F,60,A\n"+
		"R003,P003,S1,A81001,05/01/2024,gp,debt 2 years,accepted,,E01000002,F,60,A\n")
	f.put("good/attendances.csv", "attendances_0.csv")
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	db := f.db()
	var reason string
	if err := db.QueryRow(`SELECT referral_reason FROM referrals WHERE referral_id = 'R002'`).Scan(&reason); err != nil {
		t.Fatal(err)
	}
	if want := "rang [NHS number], lives at [postcode]"; reason != want {
		t.Errorf("stored reason %q, want %q", reason, want)
	}
	if got := f.count(`SELECT count(*) FROM referrals WHERE referral_reason IN ('isolation;low_mood', 'debt 2 years')`); got != 2 {
		t.Errorf("untouched free text: %d rows, want 2", got)
	}
	if got := f.count(`SELECT sum(values_masked) FROM ingested_files WHERE kind = 'referrals'`); got != 1 {
		t.Errorf("values_masked = %d, want 1", got)
	}
}

// TestNULByteRefusedWithItsLine: a NUL byte anywhere refuses the file at its true record
// number, beyond the first MiB and after quoted fields that span lines.
func TestNULByteRefusedWithItsLine(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testConfig)
	var b strings.Builder
	b.WriteString(refHeader)
	const n = 30000 // about 2 MiB
	for i := 1; i <= n; i++ {
		reason := "isolation"
		switch {
		case i == 5:
			reason = "\"debt,\nhousing\"" // one record, two lines
		case i == n-10:
			reason = "low\x00mood"
		}
		fmt.Fprintf(&b, "R%06d,P%06d,S1,A81001,05/03/2024,gp,%s,accepted,,E01000002,F,60,A\n", i, i, reason)
	}
	f.write("referrals_0.csv", b.String())
	_, err := f.ingest()
	want := fmt.Sprintf("referrals_0.csv: line %d: a NUL byte", n-10+1)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("ingest: %v; want an error containing %q", err, want)
	}
}

func TestNonRegularFileRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testConfig)
	f.put("good/attendances.csv", "attendances_0.csv")
	if err := syscall.Mkfifo(filepath.Join(f.dir, "extracts", "referrals_0.csv"), 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := f.ingest(); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Fatalf("ingest of a FIFO: %v; want it refused as not a regular file", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ingest blocked on a FIFO")
	}
}
