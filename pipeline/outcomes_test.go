package pipeline_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/pipeline"
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
		7:  {"out_of_range", "score"}, // ONS4 above 10
		8:  {"out_of_range", "score"}, // SWEMWBS below 7
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

// TestPlantedOutcomes generates extracts with outcomes (connectors/synthetic, its planted
// truths in OutcomesManifest), runs ingest and transform, and recovers each truth by its
// sign and verdict, with intervals wide enough (95%, about 4,000 referrals, one seed) that
// they hold on the generator's design rather than by luck of the draw: SWEMWBS gains
// larger in the more deprived, larger with one link worker than with many, anxiety
// falling, and follow-up missed more often in the most deprived quintile.
func TestPlantedOutcomes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ext := filepath.Join(dir, "extracts")
	sum, err := synthetic.Generate(context.Background(), synthetic.Options{OutDir: ext, Referrals: 4000, Seed: 7, Outcomes: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Manifest.Outcomes == nil {
		t.Fatal("no planted outcomes in the manifest")
	}
	f := syntheticFixture(t, dir, sum.Manifest, fmt.Sprintf(`  referrals:   { path: "extracts/referrals.csv", date_format: "%[1]s" }
  attendances: { path: "extracts/attendances.csv", date_format: "%[1]s" }
  outcomes:    { path: "extracts/outcomes.csv", date_format: "%[1]s" }
`, sum.Manifest.DateFormat))
	end, err := time.Parse("2006-01-02", sum.Manifest.End)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.runner().Run(context.Background(), pipeline.RunSpec{Job: "t", Trigger: pipeline.TriggerManual,
		Logical: end.AddDate(0, 0, 1), Steps: []string{"ingest", "transform"}}); err != nil {
		t.Fatal(err)
	}
	if got := f.count(`SELECT count(*) FROM quarantine WHERE file LIKE '%outcomes.csv'`); got != 0 {
		t.Errorf("%d outcome rows quarantined; the generator writes clean ones", got)
	}
	db := f.db()
	var verdict string
	var diffLo, anxHi sql.NullFloat64
	if err := db.QueryRow(`SELECT verdict, continuity_difference_lower FROM outcome_summary
		WHERE scheme_id = 'ALL' AND period = 'all' AND measure = 'swemwbs'`).Scan(&verdict, &diffLo); err != nil {
		t.Fatal(err)
	}
	if verdict != "larger_gain_in_more_deprived" {
		t.Errorf("SWEMWBS gradient verdict %q, want larger_gain_in_more_deprived (planted %v)", verdict, sum.Manifest.Outcomes.SWEMWBSGainByQuintile)
	}
	if !diffLo.Valid || diffLo.Float64 <= 0 {
		t.Errorf("single-worker − dispersed SWEMWBS change: lower limit %v, want above 0 (planted +%v)", diffLo, sum.Manifest.Outcomes.SingleWorkerExtra)
	}
	if err := db.QueryRow(`SELECT mean_change_upper FROM outcome_change WHERE scheme_id = 'ALL' AND period = 'all'
		AND dimension = 'all' AND measure = 'ons4_anxious'`).Scan(&anxHi); err != nil {
		t.Fatal(err)
	}
	if !anxHi.Valid || anxHi.Float64 >= 0 {
		t.Errorf("anxiety change upper limit %v, want below 0 (planted %v)", anxHi, sum.Manifest.Outcomes.AnxietyChange)
	}
	// attrition: among baselines whose follow-up window has passed, the most deprived
	// quintile is followed up less often than the least (planted 0.45 against 0.75)
	var q1, q5 float64
	if err := db.QueryRow(`SELECT avg(CASE WHEN pair_status = 'paired' THEN 1 ELSE 0 END) FILTER (WHERE e.imd_quintile = 1),
			avg(CASE WHEN pair_status = 'paired' THEN 1 ELSE 0 END) FILTER (WHERE e.imd_quintile = 5)
		FROM outcome_pairs o JOIN episode_metrics e USING (referral_id)
		WHERE o.measure = 'swemwbs' AND o.pair_status IN ('paired', 'no_follow_up')`).Scan(&q1, &q5); err != nil {
		t.Fatal(err)
	}
	if q1+0.15 > q5 {
		t.Errorf("followed up: quintile 1 %.2f, quintile 5 %.2f; want quintile 1 clearly lower", q1, q5)
	}
	// who gets measured, as pathway measures: baselines are planted flat across
	// deprivation, follow-up rising away from it (SII > 0: non-redistributive)
	for _, c := range []struct {
		measure, verdict string
		lo, hi           float64 // where the SII must lie
	}{
		{"outcome_baselined", "", -0.1, 0.1},
		{"outcome_followed_up", "non_redistributive", 0.15, 0.45},
	} {
		var v string
		var sii sql.NullFloat64
		if err := db.QueryRow(`SELECT verdict, sii FROM equity_summary WHERE scheme_id = 'ALL' AND period = 'all'
			AND dimension = 'imd_quintile' AND measure = ?`, c.measure).Scan(&v, &sii); err != nil {
			t.Fatalf("%s: %v", c.measure, err)
		}
		if (c.verdict != "" && v != c.verdict) || v == "insufficient_data" || !sii.Valid || sii.Float64 < c.lo || sii.Float64 > c.hi {
			t.Errorf("%s: verdict %q, SII %v; want %q with the SII in [%v, %v]", c.measure, v, sii, c.verdict, c.lo, c.hi)
		}
	}
}
