package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/pipeline"
)

// TestMessyExtracts: every fault the generator plants is quarantined with its reason,
// every clean row loads, and the US-dated file is refused whole.
func TestMessyExtracts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	sum, err := synthetic.Generate(context.Background(), synthetic.Options{OutDir: filepath.Join(dir, "extracts"), Referrals: 2000, Seed: 11, Messy: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	m := sum.Manifest
	end, _ := time.Parse("2006-01-02", m.End)
	cfgText := `database: db/socrx.duckdb
sources:
  referrals:   { path: "extracts/referrals.csv" }
  attendances: { path: "extracts/attendances.csv" }
  population:  { path: "extracts/population.csv" }
`
	os.WriteFile(filepath.Join(dir, "socrx.yaml"), []byte(cfgText), 0o644)
	cfg, err := config.Load(filepath.Join(dir, "socrx.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, dir: dir, cfg: cfg}
	logical := end.AddDate(0, 0, 1)
	r := f.runner()
	if _, err := r.Run(context.Background(), pipeline.RunSpec{Job: "t", Trigger: pipeline.TriggerManual, Logical: logical, Steps: []string{"ingest"}}); err != nil {
		t.Fatal(err)
	}
	table := map[string]string{"referrals.csv": "referrals", "attendances.csv": "attendances"}
	for _, fm := range m.Files {
		tbl, ok := table[fm.Name]
		if !ok {
			continue
		}
		if got := f.count("SELECT count(*) FROM " + tbl); got != fm.CleanRows {
			t.Errorf("%s: loaded %d rows, want the %d clean rows", fm.Name, got, fm.CleanRows)
		}
		var planted int64
		for reason, n := range fm.FaultyRows {
			planted += n
			got := f.count(`SELECT count(*) FROM quarantine WHERE file LIKE '%' || ? AND reason = ?`, fm.Name, reason)
			if got != n {
				t.Errorf("%s: %d rows quarantined as %s, %d planted", fm.Name, got, reason, n)
			}
		}
		if got := f.count(`SELECT count(*) FROM quarantine WHERE file LIKE '%' || ?`, fm.Name); got != planted {
			t.Errorf("%s: %d rows quarantined, %d planted", fm.Name, got, planted)
		}
	}
	// The US-dated file, as another source, fails the run and loads nothing.
	before := f.contents()
	f.cfg.Sources.Attendances = append(f.cfg.Sources.Attendances, config.Source{Name: "us", Path: "extracts/attendances_us.csv",
		Format: "csv", Mode: "append", Delimiter: ",", DateFormat: config.Strings{"%d/%m/%Y"}})
	_, err = r.Run(context.Background(), pipeline.RunSpec{Job: "t", Trigger: pipeline.TriggerManual, Logical: logical, Steps: []string{"ingest"}})
	if err == nil || !strings.Contains(err.Error(), "attendances_us.csv") || !strings.Contains(err.Error(), "US order") {
		t.Errorf("US-dated file: %v", err)
	}
	if after := f.contents(); !equalMaps(before, after) {
		t.Errorf("refused file changed the data")
	}
}
