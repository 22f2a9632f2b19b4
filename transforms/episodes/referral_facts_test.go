package episodes_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/socrx/socrx/transforms/modeltest"
)

// TestFactsInBatches: referral_facts built a few referrals at a time (as it is millions at
// a time at scale) equals the facts built in one statement, and so do the marts.
func TestFactsInBatches(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 5))
	var f modeltest.Timeline
	const referrals = 40
	for i := range referrals {
		id := fmt.Sprintf("b%03d", i)
		f.AddRef(modeltest.Ref{ID: id, Person: fmt.Sprintf("p%02d", i%25), Day: rng.IntN(300), LSOA: []string{"E01000001", "E01000002", ""}[i%3]})
		day := f.Refs[len(f.Refs)-1].Day
		for range rng.IntN(8) {
			day += rng.IntN(20)
			a := modeltest.Att{Ref: id, Day: day, Setting: "link_worker", Status: "attended", Worker: fmt.Sprintf("W%d", rng.IntN(3))}
			switch rng.IntN(6) {
			case 0:
				a.Status = "dna"
			case 1:
				a.Setting, a.Worker = "vcs", ""
			}
			f.Atts = append(f.Atts, a)
		}
	}
	tx := modeltest.BuildTimeline(t, f, modeltest.Params())
	tables := []string{"referral_facts", "equity_strata", "episode_metrics"}
	for _, tbl := range tables {
		modeltest.Exec(t, tx, "CREATE TEMP TABLE one_"+tbl+" AS SELECT * FROM "+tbl)
	}
	p := modeltest.Params()
	p.FullRebuild, p.FactsBatch = true, 7
	modeltest.Build(t, tx, p)
	for _, tbl := range tables {
		var a, b int64
		if err := tx.QueryRow(`SELECT (SELECT count(*) FROM (SELECT * FROM one_`+tbl+` EXCEPT ALL SELECT * FROM `+tbl+`)),
			(SELECT count(*) FROM (SELECT * FROM `+tbl+` EXCEPT ALL SELECT * FROM one_`+tbl+`))`).Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		if a != 0 || b != 0 {
			t.Errorf("%s built in batches differs: %d rows only in one statement's, %d only in the batches'", tbl, a, b)
		}
	}
}
