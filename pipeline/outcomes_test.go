package pipeline_test

import (
	"testing"
)

// outcomesConfig is testConfig with an outcomes source.
const outcomesConfig = `database: db/socrx.duckdb
publish: db/published/socrx.duckdb
period: quarter
sources:
  referrals:   { path: "extracts/referrals*.csv", date_format: "%d/%m/%Y" }
  attendances: { path: "extracts/attendances*.csv", date_format: ["%d/%m/%Y"] }
  outcomes:    { path: "extracts/outcomes*.csv", date_format: "%d/%m/%Y" }
schedule: { lock_wait: 1s }
`

// TestOutcomesIngest loads an outcomes extract (design §3.5) beside the good referrals:
// every measure's own range, codes matched ignoring case, an assessment without a
// referral kept for matching by date, and each broken rule quarantined on its line.
func TestOutcomesIngest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, outcomesConfig)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	f.put("good/outcomes_mixed.csv", "outcomes_1.csv")
	if _, err := f.ingest(); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if got := f.count(`SELECT count(*) FROM outcomes`); got != 7 {
		t.Errorf("%d outcomes loaded, want 7", got)
	}
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT count(*) FROM outcomes WHERE measure = 'swemwbs' AND score IN (18, 24)`, 2},
		{`SELECT count(*) FROM outcomes WHERE assessment_id = 'O03' AND stage = 'baseline'`, 1},
		{`SELECT count(*) FROM outcomes WHERE assessment_id = 'O04' AND referral_id IS NULL AND stage IS NULL`, 1},
		{`SELECT count(*) FROM outcomes WHERE assessment_id = 'O12' AND score = 70 AND source_line = 13`, 1},
	} {
		if got := f.count(c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}
	want := map[int64][2]string{
		7:  {"out_of_range", "score"},     // ONS4 above 10
		8:  {"out_of_range", "score"},     // SWEMWBS below 7
		9:  {"orphan_outcome", "referral_id"},
		10: {"person_mismatch", "person_id"}, // R001 is another person's referral
		11: {"unknown_code", "measure"},
		14: {"bad_integer", "score"},
	}
	rows, err := f.db().Query(`SELECT line, reason, "column" FROM quarantine WHERE file LIKE '%outcomes_1.csv' ORDER BY line`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int64][2]string{}
	for rows.Next() {
		var line int64
		var reason, column string
		if err := rows.Scan(&line, &reason, &column); err != nil {
			t.Fatal(err)
		}
		got[line] = [2]string{reason, column}
	}
	if len(got) != len(want) {
		t.Errorf("quarantined lines %v, want %v", got, want)
	}
	for line, w := range want {
		if got[line] != w {
			t.Errorf("line %d quarantined as %v, want %v", line, got[line], w)
		}
	}
}

// TestOutcomesOptional: a config without outcomes, or whose outcomes path matches no
// file, still runs (outcomes are optional), and the table exists, empty.
func TestOutcomesOptional(t *testing.T) {
	t.Parallel()
	f := newFixture(t, outcomesConfig)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	if _, err := f.ingest(); err != nil {
		t.Fatalf("ingest without an outcomes file: %v", err)
	}
	if got := f.count(`SELECT count(*) FROM outcomes`); got != 0 {
		t.Errorf("%d outcomes, want 0", got)
	}
}
