package episodes_test

import (
	"database/sql"
	"testing"

	"github.com/socrx/socrx/transforms/modeltest"
)

// TestLSOAStatus resolves real codes of the ONS 2011↔2021 lookup against IoD2019 (2011
// LSOAs): every referral gets a stratum or a reason, and Welsh codes, which the lookup
// also covers, are never mistaken for mappings into the English edition.
func TestLSOAStatus(t *testing.T) {
	t.Parallel()
	tx := modeltest.OpenWithReference(t)
	cases := []struct {
		id, lsoa string // "" = NULL
		status   string
		edition  string
	}{
		{"matched", "E01000001", "matched", "E01000001"},
		{"normalised", " e01000001 ", "matched", "E01000001"},
		{"split", "E01034473", "mapped", "E01000010"},    // 2021 part of a 2011 split: one parent
		{"merged", "E01034479", "ambiguous_mapping", ""}, // 2021 merge of two 2011 LSOAs
		{"welsh11", "W01000001", "not_england", ""},      // in the lookup, not in IoD2019
		{"scottish", "S01006506", "not_england", ""},
		{"unknown", "E01999999", "unknown_code", ""},
		{"missing", "", "missing", ""},
	}
	for _, c := range cases {
		var lsoa any
		if c.lsoa != "" {
			lsoa = c.lsoa
		}
		modeltest.Exec(t, tx, `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, lsoa_code)
			VALUES (?, ?, 'S1', 'A81001', DATE '2024-02-01', ?)`, c.id, "p"+c.id, lsoa)
	}
	modeltest.Build(t, tx, modeltest.Params())
	for _, c := range cases {
		var status string
		var edition sql.NullString
		var decile sql.NullInt64
		if err := tx.QueryRow(`SELECT lsoa_status, lsoa_edition, imd_decile FROM int_referrals WHERE referral_id = ?`, c.id).
			Scan(&status, &edition, &decile); err != nil {
			t.Fatalf("%s: %v", c.id, err)
		}
		if status != c.status || edition.String != c.edition || decile.Valid != (c.edition != "") {
			t.Errorf("%s (%q): status %s, edition %q, decile %v; want %s, %q", c.id, c.lsoa, status, edition.String, decile, c.status, c.edition)
		}
	}
	var excluded int64
	if err := tx.QueryRow(`SELECT excluded_no_lsoa FROM equity_summary WHERE scheme_id = 'S1' AND period = 'all'
		AND dimension = 'imd_quintile' AND measure = 'contacted'`).Scan(&excluded); err != nil {
		t.Fatal(err)
	}
	if excluded != 5 {
		t.Errorf("excluded_no_lsoa = %d, want 5 (merged, welsh, scottish, unknown, missing)", excluded)
	}
}
