package cli

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/connectors/synthetic"
)

// TestDemoConfigRoundTrip: the config demo and generate --write-config write reads back
// with config.Load as written, whatever the scheme names and the extracts' folder hold.
func TestDemoConfigRoundTrip(t *testing.T) {
	cases := []struct {
		name     string
		scheme   string
		extracts string // the extracts' folder, under the config's
	}{
		{"plain", "Example Link Workers", "extracts"},
		{"quotes and newline", "a \"quoted\": name\nwith newline", "extracts"},
		{"yaml syntax", "# not a comment, [a list] {a map} 'single' - & * ! | > % @ `", "extracts"},
		{"leading and trailing spaces", "  padded\t", "extracts"},
		{"looks like other types", "null", "extracts"},
		{"non-ASCII", "Ysgol Gymraeg — café\u00a0north", "extracts"},
		{"awkward folder", "S", `ex tracts: "one" #1, {x}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			sum := synthetic.Summary{
				Dir: filepath.Join(dir, c.extracts),
				Manifest: synthetic.Manifest{
					Seed: 7, DateFormat: "%d/%m/%Y", DeprivationEdition: "IoD2019",
					Schemes: []synthetic.SchemeManifest{
						{Archetype: synthetic.Archetype{ID: "S1", Name: c.scheme}, Practices: []string{"A81001", "A81002"}},
						{Archetype: synthetic.Archetype{ID: "S2", Name: "second"}},
					},
				},
			}
			if err := os.MkdirAll(sum.Dir, 0o755); err != nil {
				t.Fatal(err)
			}
			cfgPath := filepath.Join(dir, "socrx.yaml")
			if err := writeConfigFor(cfgPath, sum); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				b, _ := os.ReadFile(cfgPath)
				t.Fatalf("%v\n%s", err, b)
			}
			if len(cfg.Schemes) != 2 {
				t.Fatalf("read %d schemes, want 2", len(cfg.Schemes))
			}
			if got := cfg.Schemes[0]; got.ID != "S1" || got.Name != c.scheme || !slices.Equal(got.Practices, []string{"A81001", "A81002"}) {
				t.Errorf("scheme read back as %q %q %v; want S1 %q [A81001 A81002]", got.ID, got.Name, got.Practices, c.scheme)
			}
			if got := cfg.Schemes[1]; got.Name != "second" || len(got.Practices) != 0 {
				t.Errorf("a scheme without practices read back as %q %v", got.Name, got.Practices)
			}
			for kind, src := range map[string]config.SourceList{"referrals": cfg.Sources.Referrals, "attendances": cfg.Sources.Attendances, "population": cfg.Sources.Population} {
				if len(src) != 1 || cfg.Resolve(src[0].Path) != filepath.Join(sum.Dir, kind+".csv") {
					t.Errorf("%s source read back as %+v; want %s", kind, src, filepath.Join(sum.Dir, kind+".csv"))
				}
			}
			if got := cfg.Sources.Referrals[0].DateFormat; !slices.Equal(got, config.Strings{"%d/%m/%Y"}) {
				t.Errorf("date_format read back as %q", got)
			}
			if cfg.DeprivationEdition != "IoD2019" || cfg.Period != "quarter" {
				t.Errorf("deprivation_edition %q, period %q", cfg.DeprivationEdition, cfg.Period)
			}
		})
	}
}

// TestDemoConfigGP: extracts with GP records get gp_events, the registered list (sent
// whole, so replace) and gp.linked (one pseudonym on both sides); others get none.
func TestDemoConfigGP(t *testing.T) {
	for _, c := range []struct {
		name string
		gp   *synthetic.GPManifest
	}{
		{"without GP records", nil},
		{"with GP records", &synthetic.GPManifest{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			sum := synthetic.Summary{Dir: filepath.Join(dir, "extracts"), Manifest: synthetic.Manifest{
				Seed: 1, DateFormat: "%d/%m/%Y", DeprivationEdition: "IoD2019", GP: c.gp,
				Schemes: []synthetic.SchemeManifest{{Archetype: synthetic.Archetype{ID: "S1", Name: "one"}, Practices: []string{"A81001"}}},
			}}
			if err := os.MkdirAll(sum.Dir, 0o755); err != nil {
				t.Fatal(err)
			}
			cfgPath := filepath.Join(dir, "socrx.yaml")
			if err := writeConfigFor(cfgPath, sum); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				b, _ := os.ReadFile(cfgPath)
				t.Fatalf("%v\n%s", err, b)
			}
			want := c.gp != nil
			if got := len(cfg.Sources.GPEvents) == 1 && len(cfg.Sources.GPPatients) == 1; got != want {
				t.Fatalf("GP sources read back as %+v %+v; want them: %v", cfg.Sources.GPEvents, cfg.Sources.GPPatients, want)
			}
			if cfg.GP.Linked != want {
				t.Errorf("gp.linked %v, want %v", cfg.GP.Linked, want)
			}
			if !want {
				return
			}
			for _, x := range []struct {
				src  config.Source
				file string
				mode string
			}{
				{cfg.Sources.GPEvents[0], synthetic.GPEventsFile, "append"},
				{cfg.Sources.GPPatients[0], synthetic.GPPatientsFile, "replace"},
			} {
				if cfg.Resolve(x.src.Path) != filepath.Join(sum.Dir, x.file) || x.src.Mode != x.mode ||
					!slices.Equal(x.src.DateFormat, config.Strings{"%d/%m/%Y"}) {
					t.Errorf("%s source read back as %+v", x.file, x.src)
				}
			}
		})
	}
}
