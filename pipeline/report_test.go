package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
	// the demo's data, ingested and transformed once for this and TestPlantedArchetypes
	f, m := plantedRun(t, 1)
	dir := f.dir
	f.cfg.Reports = "out"
	logical := sharedPlantedLogical(1)
	rec, err := f.runner().Run(context.Background(), pipeline.RunSpec{Job: "t", Trigger: pipeline.TriggerManual,
		Logical: logical, Steps: []string{"report"}})
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
	for _, s := range append([]string{"ALL"}, schemeIDs(m)...) {
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
	if got := f.count(`SELECT count(*) FROM reports_written WHERE run_id = ? AND period = ?`, rec.ID, last); got != int64(len(m.Schemes)+1) {
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
