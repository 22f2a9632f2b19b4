package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/pipeline"
)

func cmdGenerate(ctx context.Context, e *env, args []string) error {
	fs, _ := newFlags(e, "generate", "generate --referrals N --seed S --out DIR [--messy RATE]")
	n := fs.Int("referrals", 5000, "clean referrals to write")
	seed := fs.Uint64("seed", 1, "random seed: the same seed gives byte-identical files")
	out := fs.String("out", "", "output directory")
	messy := fs.Float64("messy", 0, "rate (0–1) of planted real-world faults the ingest must catch")
	perRef := fs.Float64("attendances-per-referral", 0, "lengthen VCS runs toward this many attendance rows per referral; the end of the span cuts runs, so 12 gives about 9.7 (0: the natural mix, about 4.6)")
	writeCfg := fs.String("write-config", "", "also write a ready-to-run config for the extracts to this file")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: socrx generate --referrals N --seed S --out DIR [--messy RATE]\n\n%s\nFlags:\n", synthetic.HelpText())
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usageError{"--out is required"}
	}
	if *n < 1 || *messy < 0 || *messy > 1 {
		return usageError{"--referrals must be at least 1 and --messy between 0 and 1"}
	}
	start := time.Now()
	if *perRef < 0 {
		return usageError{"--attendances-per-referral must not be negative"}
	}
	sum, err := synthetic.Generate(ctx, synthetic.Options{OutDir: *out, Referrals: *n, Seed: *seed, Messy: *messy, AttendancesPerReferral: *perRef})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %d referrals, %d attendances, %d population rows, %d planted faults to %s in %s\n",
		sum.Referrals, sum.Attendances, sum.PopulationRows, sum.FaultyRows, sum.Dir, time.Since(start).Round(time.Millisecond))
	if *writeCfg != "" {
		if err := writeConfigFor(*writeCfg, sum); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "  config: %s\n", *writeCfg)
	}
	for _, f := range sum.Files {
		fmt.Fprintf(e.stdout, "  %s\n", f)
	}
	return nil
}

// demoReferrals gives each planted scheme enough referrals for its gradient to show.
const demoReferrals = 6000

func cmdDemo(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "demo", "demo [--dir DIR]")
	dir := fs.String("dir", "socrx-demo", "directory for the demo's extracts, config, database and reports")
	seed := fs.Uint64("seed", 1, "random seed of the synthetic data")
	if err := parse(fs, args); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	begin := time.Now()
	for _, sub := range []string{"db", "reports"} {
		if err := os.RemoveAll(filepath.Join(abs, sub)); err != nil {
			return fmt.Errorf("clearing the previous demo: %w", err)
		}
	}
	sum, err := synthetic.Generate(ctx, synthetic.Options{OutDir: filepath.Join(abs, "extracts"), Referrals: demoReferrals, Seed: *seed})
	if err != nil {
		return err
	}
	end, err := time.Parse("2006-01-02", sum.Manifest.End)
	if err != nil {
		return fmt.Errorf("reading the generated span: %w", err)
	}
	cfgPath := filepath.Join(abs, "socrx.yaml")
	if err := writeConfigFor(cfgPath, sum); err != nil {
		return err
	}
	c.config = cfgPath
	cfg, err := c.load()
	if err != nil {
		return err
	}
	// The run happens a month after the last data, so that the last period is due.
	logical := end.AddDate(0, 0, 35).Add(2 * time.Hour)
	r := &pipeline.Runner{Cfg: cfg, Log: c.logger(e), Version: e.version, Progress: c.progress(e)}
	rec, err := r.Run(ctx, pipeline.RunSpec{Job: "demo", Trigger: pipeline.TriggerManual, Logical: logical, Steps: runSteps()})
	if err != nil {
		return err
	}
	printRunSummary(e.stdout, rec)
	rel := func(p string) string {
		if r, err := filepath.Rel(".", p); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return p
	}
	fmt.Fprintf(e.stdout, `
socrx demo: %d synthetic referrals of %d planted schemes in real English LSOAs, in %s.
  extracts:  %s
  config:    %s
  database:  %s   (published snapshot: %s)
  reports:   %s
Try:
  go run . query --config %s --format table "SELECT scheme_id, measure, round(sii, 3) AS sii, verdict FROM equity_summary WHERE period = 'all' AND dimension = 'imd_quintile' ORDER BY 1, 2"
  go run . query --config %s "SELECT scheme_id, round(mean_coc, 2) AS coc, cap, round(heaping_ratio, 1) AS heaping, cap_heaping_detected FROM continuity_summary WHERE period = 'all' AND stratum = 'all'"
  go run . status --config %s
`, sum.Referrals, len(sum.Manifest.Schemes), time.Since(begin).Round(time.Millisecond),
		rel(filepath.Join(abs, "extracts")), rel(cfgPath), rel(r.DBPath()), rel(r.PublishPath()),
		rel(filepath.Join(abs, "reports", "index.html")), rel(cfgPath), rel(cfgPath), rel(cfgPath))
	return nil
}

// writeConfigFor writes demoConfig beside generated extracts, pointing at them relative
// to the config file so the directory can be moved.
func writeConfigFor(cfgPath string, sum synthetic.Summary) error {
	absCfg, err := filepath.Abs(cfgPath)
	if err != nil {
		return err
	}
	absDir, err := filepath.Abs(sum.Dir)
	if err != nil {
		return err
	}
	extracts, err := filepath.Rel(filepath.Dir(absCfg), absDir)
	if err != nil {
		extracts = absDir
	}
	if err := os.WriteFile(absCfg, []byte(demoConfig(sum.Manifest, filepath.ToSlash(extracts))), 0o640); err != nil {
		return fmt.Errorf("writing the config: %w", err)
	}
	return nil
}

// demoConfig writes the config a new user would: the generated files, the schemes with
// their catchment practices, quarterly periods. Session caps are left for socrx to find.
func demoConfig(m synthetic.Manifest, extracts string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# socrx demo configuration, written by 'socrx demo' (seed %d).
database: db/socrx.duckdb
publish: db/published/socrx.duckdb
reports: reports
period: quarter
deprivation_edition: %s
sources:
  referrals:   { path: "%[3]s/referrals.csv", date_format: "%[4]s" }
  attendances: { path: "%[3]s/attendances.csv", date_format: "%[4]s" }
  population:  { path: "%[3]s/population.csv" }
schemes:
`, m.Seed, m.DeprivationEdition, extracts, m.DateFormat)
	for _, s := range m.Schemes {
		fmt.Fprintf(&b, "  - { id: %s, name: %q, practices: [%s] }\n", s.ID, s.Name, strings.Join(s.Practices, ", "))
	}
	return b.String()
}
