package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors/synthetic"
	"github.com/socrx/socrx/pipeline"
)

func demoCommand() command {
	return command{
		name:    "demo",
		summary: "generate a realistic synthetic dataset and run the whole pipeline on it",
		usage:   "demo [--dir DIR] [--seed S]",
		run:     cmdDemo,
	}
}

// demoReferrals gives each planted scheme enough referrals for its gradient to show.
const demoReferrals = 6000

func cmdDemo(ctx context.Context, e *env, args []string) error {
	flags, c := e.newFlags()
	dir := flags.String("dir", "socrx-demo", "directory for the demo's extracts, config, database and reports")
	seed := flags.Uint64("seed", 1, "random seed of the synthetic data")
	if err := e.parse(flags, args); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("resolving --dir: %w", err)
	}
	begin := time.Now()
	for _, sub := range []string{"db", "reports"} {
		if err := os.RemoveAll(filepath.Join(abs, sub)); err != nil {
			return fmt.Errorf("clearing the previous demo: %w", err)
		}
	}
	sum, err := synthetic.Generate(ctx, synthetic.Options{OutDir: filepath.Join(abs, "extracts"), Referrals: demoReferrals, Seed: *seed,
		Outcomes: true, GP: true})
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
	rec, err := r.Run(ctx, pipeline.RunSpec{Job: "demo", Trigger: pipeline.TriggerManual, Logical: logical, Steps: config.Steps()})
	if err != nil {
		return err
	}
	printRunSummary(e.stdout, rec)
	rel := func(p string) string {
		if short, err := filepath.Rel(".", p); err == nil && !strings.HasPrefix(short, "..") {
			return short
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
		return fmt.Errorf("resolving the config's path: %w", err)
	}
	absDir, err := filepath.Abs(sum.Dir)
	if err != nil {
		return fmt.Errorf("resolving the extracts' path: %w", err)
	}
	extracts, err := filepath.Rel(filepath.Dir(absCfg), absDir)
	if err != nil {
		extracts = absDir
	}
	b, err := demoConfig(sum.Manifest, filepath.ToSlash(extracts))
	if err != nil {
		return err
	}
	if err := os.WriteFile(absCfg, b, 0o640); err != nil {
		return fmt.Errorf("writing the config: %w", err)
	}
	return nil
}

// demoDocument is the config a new user would write: only the keys the demo sets, in
// the order of design §10 (config.Config would write every default too).
type demoDocument struct {
	Database           string       `yaml:"database"`
	Publish            string       `yaml:"publish"`
	Reports            string       `yaml:"reports"`
	Period             string       `yaml:"period"`
	DeprivationEdition string       `yaml:"deprivation_edition"`
	Sources            demoSources  `yaml:"sources"`
	Schemes            []demoScheme `yaml:"schemes"`
	GP                 *demoGP      `yaml:"gp,flow,omitempty"` // when the extracts have GP records
}

type demoGP struct {
	Linked bool `yaml:"linked"`
}

type demoSources struct {
	Referrals   demoSource  `yaml:"referrals,flow"`
	Attendances demoSource  `yaml:"attendances,flow"`
	Population  demoSource  `yaml:"population,flow"`
	Outcomes    *demoSource `yaml:"outcomes,flow,omitempty"`  // when the extracts have outcomes
	GPEvents    *demoSource `yaml:"gp_events,flow,omitempty"` // when the extracts have GP records
	GPPatients  *demoSource `yaml:"gp_patients,flow,omitempty"`
}

type demoSource struct {
	Path       string `yaml:"path"`
	DateFormat string `yaml:"date_format,omitempty"`
	Mode       string `yaml:"mode,omitempty"`
}

type demoScheme struct {
	ID        string   `yaml:"id"`
	Name      string   `yaml:"name"`
	Practices []string `yaml:"practices,flow"`
}

// demoConfig is the config for generated extracts: the files, the schemes with their
// catchment practices, quarterly periods. Session caps are left for socrx to find. The
// YAML library quotes what needs it, so any scheme name or path reads back as written.
func demoConfig(m synthetic.Manifest, extracts string) ([]byte, error) {
	doc := demoDocument{
		Database:           "db/socrx.duckdb",
		Publish:            "db/published/socrx.duckdb",
		Reports:            "reports",
		Period:             "quarter",
		DeprivationEdition: m.DeprivationEdition,
		Sources: demoSources{
			Referrals:   demoSource{Path: extracts + "/referrals.csv", DateFormat: m.DateFormat},
			Attendances: demoSource{Path: extracts + "/attendances.csv", DateFormat: m.DateFormat},
			Population:  demoSource{Path: extracts + "/population.csv"},
		},
	}
	if m.Outcomes != nil {
		doc.Sources.Outcomes = &demoSource{Path: extracts + "/" + synthetic.OutcomesFile, DateFormat: m.DateFormat}
	}
	if m.GP != nil {
		doc.Sources.GPEvents = &demoSource{Path: extracts + "/" + synthetic.GPEventsFile, DateFormat: m.DateFormat}
		// the registered list is sent whole each time, so people who leave drop out
		doc.Sources.GPPatients = &demoSource{Path: extracts + "/" + synthetic.GPPatientsFile, DateFormat: m.DateFormat, Mode: "replace"}
		// the generator writes one pseudonym for both sides
		doc.GP = &demoGP{Linked: true}
	}
	for _, s := range m.Schemes {
		doc.Schemes = append(doc.Schemes, demoScheme{ID: s.ID, Name: s.Name, Practices: s.Practices})
	}
	body, err := yaml.MarshalWithOptions(doc, yaml.IndentSequence(true))
	if err != nil {
		return nil, fmt.Errorf("writing the config: %w", err)
	}
	head := fmt.Sprintf("# socrx demo configuration, written by 'socrx demo' (seed %d).\n", m.Seed)
	return append([]byte(head), body...), nil
}
