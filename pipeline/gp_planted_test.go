package pipeline_test

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/pipeline"
	"github.com/socrx/socrx/stats"
)

// TestPlantedGPRecord recovers the GP record's planted truths (design §12) from generated
// GP events and registered list linked to the platform data: declines by IMD quintile
// (each planted share inside its stratum's Wilson interval at 99%, Bonferroni's for five
// strata at a family-wise 95%: at 95% each, one stratum in five would miss by chance
// alone on nearly a quarter of seeds), coding
// completeness at the under-coding practices and at the rest (pooled Wilson intervals,
// and each under-coder flagged low on the completeness funnel), and the share of GP-coded
// referrals never on the platform (the lost-between-sectors signal's interval). One
// fixed seed, so the test is deterministic; 12,000 referrals give intervals of about
// ±0.02 for the decline shares.
func TestPlantedGPRecord(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates and transforms a dataset")
	}
	dir := t.TempDir()
	sum := generate(t, filepath.Join(dir, "extracts"), synthetic.Options{Referrals: 12000, Seed: 3, GP: true})
	m := sum.Manifest
	if m.GP == nil {
		t.Fatal("the generator planted no GP record")
	}
	f := syntheticFixture(t, dir, m, plantedSources+`  gp_events:   { path: "extracts/gp_events.csv" }
  gp_patients: { path: "extracts/gp_patients.csv", mode: replace }
`)
	f.cfg.GP.Linked = true
	end, _ := time.Parse("2006-01-02", m.End)
	if _, err := f.runner().Run(context.Background(), pipeline.RunSpec{Job: "t", Trigger: pipeline.TriggerManual,
		Logical: end.AddDate(0, 0, 35), Steps: []string{"ingest", "transform"}}); err != nil {
		t.Fatal(err)
	}
	db := f.db()
	defer db.Close()

	t.Run("declines by quintile", func(t *testing.T) {
		rows, err := db.Query(`SELECT CAST(stratum AS INTEGER), numerator, denominator FROM equity_strata
			WHERE scheme_id = 'ALL' AND period = 'all' AND dimension = 'imd_quintile' AND measure = 'gp_declined'
			ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var q int
			var num, den int64
			if err := rows.Scan(&q, &num, &den); err != nil {
				t.Fatal(err)
			}
			want := m.GP.DeclineByQuintile[q-1]
			if lo, hi := wilsonZ(num, den, z99); want < lo || want > hi {
				t.Errorf("quintile %d: declined %d of %d (99%% CI %.3f–%.3f), planted %.2f", q, num, den, lo, hi, want)
			}
			n++
		}
		if err := rows.Err(); err != nil || n != 5 {
			t.Fatalf("%d quintiles, %v", n, err)
		}
		var verdict string
		var sii float64
		if err := db.QueryRow(`SELECT verdict, sii FROM equity_summary WHERE scheme_id = 'ALL' AND period = 'all'
			AND dimension = 'imd_quintile' AND measure = 'gp_declined'`).Scan(&verdict, &sii); err != nil {
			t.Fatal(err)
		}
		// declines fall from 30% to 10% as deprivation falls: a negative SII, no verdict
		if verdict != stats.VerdictNotApplicable || sii >= 0 {
			t.Errorf("gp_declined: verdict %s, SII %.3f; want not_applicable and negative", verdict, sii)
		}
	})

	t.Run("coding completeness", func(t *testing.T) {
		under := "'" + strings.Join(m.GP.UnderCodingPractices, "','") + "'"
		for _, c := range []struct {
			name, where string
			want        float64
		}{
			{"under-coding practices", "practice_code IN (" + under + ")", m.GP.UnderCodedProb},
			{"the other practices", "practice_code NOT IN (" + under + ")", m.GP.CodedProb},
		} {
			var num, den int64
			if err := db.QueryRow(`SELECT sum(numerator), sum(denominator) FROM practice_variation
				WHERE scheme_id = 'ALL' AND period = 'all' AND measure = 'gp_coding_completeness' AND `+c.where).Scan(&num, &den); err != nil {
				t.Fatal(err)
			}
			ci, err := stats.Wilson(num, den)
			if err != nil {
				t.Fatal(err)
			}
			if c.want < ci.Lower || c.want > ci.Upper {
				t.Errorf("%s: %d of %d coded (95%% CI %.3f–%.3f), planted %.2f", c.name, num, den, ci.Lower, ci.Upper, c.want)
			}
		}
		var flagged int64
		if err := db.QueryRow(`SELECT count(*) FROM practice_variation WHERE scheme_id = 'ALL' AND period = 'all'
			AND measure = 'gp_coding_completeness' AND outlier AND starts_with(significance, 'low')
			AND practice_code IN (` + under + `)`).Scan(&flagged); err != nil {
			t.Fatal(err)
		}
		if flagged != int64(len(m.GP.UnderCodingPractices)) {
			t.Errorf("%d of the %d under-coding practices flagged low on the completeness funnel", flagged, len(m.GP.UnderCodingPractices))
		}
	})

	t.Run("lost between sectors", func(t *testing.T) {
		var v, lo, hi float64
		if err := db.QueryRow(`SELECT value, lower, upper FROM archetype_signals WHERE scheme_id = 'ALL' AND period = 'all'
			AND signal = 'gp_lost_between_sectors'`).Scan(&v, &lo, &hi); err != nil {
			t.Fatal(err)
		}
		if want := m.GP.NeverOnPlatformShare; want < lo || want > hi {
			t.Errorf("lost between sectors %.3f (95%% CI %.3f–%.3f), planted %.2f", v, lo, hi, want)
		}
	})

	t.Run("registered list", func(t *testing.T) {
		// every registered person is on some period's list: the denominators are not empty
		var registered int64
		if err := db.QueryRow(`SELECT sum(denominator) FROM equity_strata WHERE scheme_id = 'ALL' AND period = 'all'
			AND dimension = 'sex' AND measure = 'gp_referral_rate'`).Scan(&registered); err != nil {
			t.Fatal(err)
		}
		if registered <= 0 || registered > m.GP.Realised.Registered {
			t.Errorf("%d registered at the mid-point of the span, of %d people on the list", registered, m.GP.Realised.Registered)
		}
	})
}

// z99 is the normal quantile of a two-sided 99% interval.
const z99 = 2.5758293035489004

// wilsonZ is Wilson's score interval for x of n at normal quantile z.
func wilsonZ(x, n int64, z float64) (lo, hi float64) {
	p, nn := float64(x)/float64(n), float64(n)
	d := 1 + z*z/nn
	c := (p + z*z/(2*nn)) / d
	h := z * math.Sqrt(p*(1-p)/nn+z*z/(4*nn*nn)) / d
	return c - h, c + h
}
