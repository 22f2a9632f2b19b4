package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/pipeline"
	"github.com/socrx/socrx/reports"
)

// TestReportEndToEnd runs ingest, transform and report on the demo's synthetic extracts and
// checks the report files exist, pass the disclosure scan, are recorded, and are not
// written again from the same data.
func TestReportEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sum := generate(t, filepath.Join(dir, "extracts"), synthetic.Options{Referrals: 6000, Seed: 1}) // the demo's data
	f := syntheticFixture(t, dir, sum.Manifest, `  referrals:   { path: "extracts/referrals.csv" }
  attendances: { path: "extracts/attendances.csv" }
  population:  { path: "extracts/population.csv" }
`)
	f.cfg.Reports = "out"
	end, _ := time.Parse("2006-01-02", sum.Manifest.End)
	logical := end.AddDate(0, 0, 35)
	rec, err := f.runner().Run(context.Background(), pipeline.RunSpec{Job: "t", Trigger: pipeline.TriggerManual,
		Logical: logical, Steps: []string{"ingest", "transform", "report"}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if _, err := os.Stat(filepath.Join(out, "index.html")); err != nil {
		t.Fatal("no index.html")
	}
	periods := f.count(`SELECT count(DISTINCT period) FROM reports_written WHERE run_id = ?`, rec.ID)
	if periods == 0 {
		t.Fatal("no period reported")
	}
	last := ""
	db := f.db()
	if err := db.QueryRow(`SELECT max(period) FROM reports_written`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, s := range append([]string{"ALL"}, schemeIDs(sum.Manifest)...) {
		if _, err := os.Stat(filepath.Join(out, last, s+".html")); err != nil {
			t.Errorf("no report for %s in %s", s, last)
		}
	}
	if _, err := os.Stat(filepath.Join(out, last, "socrx-"+last+".xlsx")); err != nil {
		t.Errorf("no workbook for %s", last)
	}
	n, problems, err := reports.Scan(out, disclosure.Policy{Threshold: 7, Rounding: 5})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	if n < 1000 {
		t.Errorf("scan checked only %d counts", n)
	}
	// same data, later run: nothing is due; only the index is rewritten
	rec, err = f.runner().Run(context.Background(), pipeline.RunSpec{Job: "t", Trigger: pipeline.TriggerManual,
		Logical: logical.AddDate(0, 0, 1), Steps: []string{"report"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Steps[0].Rows["files"]; got != 1 {
		t.Errorf("re-run wrote %d files, want only the index", got)
	}
	// an explicit period is written even though it was reported already
	rec, err = f.runner().Run(context.Background(), pipeline.RunSpec{Job: "t", Trigger: pipeline.TriggerManual,
		Logical: logical.AddDate(0, 0, 1), Steps: []string{"report"}, Period: last})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.count(`SELECT count(*) FROM reports_written WHERE run_id = ? AND period = ?`, rec.ID, last); got != int64(len(sum.Manifest.Schemes)+1) {
		t.Errorf("--period %s recorded %d reports", last, got)
	}
}

func schemeIDs(m synthetic.Manifest) []string {
	var ids []string
	for _, s := range m.Schemes {
		ids = append(ids, s.ID)
	}
	return ids
}
