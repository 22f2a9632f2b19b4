package reports_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/pipeline"
	"github.com/socrx/socrx/reports"
)

// TestFunnelFlagsAgreeDemo runs what `socrx demo` runs on its platform extracts (its data,
// its config, ingest, transform and report) and checks that every report passes the
// disclosure scan and that, across all its periods, every summary's outlier count is the
// table's flags and the chart's highlighted points (on main, 19 of the 64 disagreed). The
// demo re-reported under threshold 10, rounding 10 is scanned by the CLI's
// TestDemoPassesScan, over the whole demo (outcomes and GP record too).
func TestFunnelFlagsAgreeDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and runs the demo")
	}
	t.Setenv(pipeline.ThreadsEnv, "1") // the package's other tests run beside it
	dir := t.TempDir()
	sum, err := synthetic.Generate(context.Background(), synthetic.Options{OutDir: filepath.Join(dir, "extracts"), Referrals: 6000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// the config `socrx demo` writes (demoConfig in the root package)
	var b strings.Builder
	fmt.Fprintf(&b, `database: db/socrx.duckdb
reports: reports
period: quarter
deprivation_edition: %s
sources:
  referrals:   { path: "extracts/referrals.csv", date_format: "%[2]s" }
  attendances: { path: "extracts/attendances.csv", date_format: "%[2]s" }
  population:  { path: "extracts/population.csv" }
schemes:
`, sum.Manifest.DeprivationEdition, sum.Manifest.DateFormat)
	for _, s := range sum.Manifest.Schemes {
		fmt.Fprintf(&b, "  - { id: %s, name: %q, practices: [%s] }\n", s.ID, s.Name, strings.Join(s.Practices, ", "))
	}
	cfgPath := filepath.Join(dir, "socrx.yaml")
	if err := os.WriteFile(cfgPath, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	end, err := time.Parse("2006-01-02", sum.Manifest.End)
	if err != nil {
		t.Fatal(err)
	}
	r := &pipeline.Runner{Cfg: cfg, Log: zerolog.Nop(), Version: "test"}
	if _, err := r.Run(context.Background(), pipeline.RunSpec{Job: "demo", Trigger: pipeline.TriggerManual,
		Logical: end.AddDate(0, 0, 35).Add(2 * time.Hour), Steps: []string{"ingest", "transform", "report"}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "reports")
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
	db, err := sql.Open("duckdb", r.DBPath()+"?access_mode=read_only")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := reports.CheckFlagsAgree(t, db, out); got != 64 {
		t.Errorf("checked %d period × scheme × measure summaries, want the demo's 64", got)
	}
}
