package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gpOnlyConfig reads the practice-system exports of pipeline/testdata/gp_export with no
// platform extracts (GP-only use, design §10, §12).
const gpOnlyConfig = `database: data/socrx.duckdb
reports: reports
sources:
  gp_patients:
    path: "extracts/registered_list*.csv"
    format: emis
    mode: replace
    columns: { person_id: "Patient ID", practice_code: "Organisation code", registered_from: "Registration date",
               registered_to: "Deregistration date", lsoa_code: "LSOA code", sex: "Gender", age: "Age",
               ethnicity_code: "Ethnicity SNOMED CT concept ID" }
    values: { sex: { Female: F, Male: M, Indeterminate: I, Unknown: U } }
  gp_events:
    path: "extracts/sp_coded_events*.csv"
    format: emis
    date_format: "%d-%b-%Y"
    columns: { person_id: "Patient ID", practice_code: "Organisation code", event_date: "Date",
               code: "SNOMED CT concept ID", value: "Value" }
codelists:
  ethnicity: { path: "codelists/ethnicity.csv", columns: { category: Grouping_16 } }
schedule: { lock_wait: 1s }
`

// gpOnlyProject writes a GP-only project in a temp dir: the practice-system exports of
// pipeline/testdata/gp_export as a month's extracts, the ethnicity codelist and
// gpOnlyConfig. It returns the dir and the config's path.
func gpOnlyProject(t *testing.T) (dir, cfg string) {
	t.Helper()
	dir = t.TempDir()
	for _, d := range []string{"extracts", "codelists"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for src, dst := range map[string]string{
		"registered_list.csv":    "extracts/registered_list_2025-01.csv",
		"sp_coded_events.csv":    "extracts/sp_coded_events_2025-01.csv",
		"ethnicity_codelist.csv": "codelists/ethnicity.csv",
	} {
		b, err := os.ReadFile(fromRoot("pipeline/testdata/gp_export/" + src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg = filepath.Join(dir, "socrx.yaml")
	if err := os.WriteFile(cfg, []byte(gpOnlyConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

// TestGPOnlyCommands: socrx validate and socrx run take a config with only the GP
// record's extracts (exit 0, a report index written), and a config with no extracts to
// evaluate is refused in one line.
func TestGPOnlyCommands(t *testing.T) {
	dir, cfg := gpOnlyProject(t)
	var out, errb bytes.Buffer
	if code := Main([]string{"validate", "--config", cfg}, &out, &errb); code != 0 {
		t.Fatalf("validate exited %d: %s%s", code, out.String(), errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := Main([]string{"run", "--config", cfg, "--logical-date", "2025-02-01"}, &out, &errb); code != 0 {
		t.Fatalf("run exited %d: %s%s", code, out.String(), errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "reports", "index.html")); err != nil {
		t.Errorf("no reports/index.html: %v", err)
	}

	none := filepath.Join(dir, "none.yaml")
	if err := os.WriteFile(none, []byte("database: data/socrx.duckdb\nsources: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errb.Reset()
	code := Main([]string{"validate", "--config", none}, &out, &errb)
	if code == 0 || strings.Count(errb.String(), "\n") != 1 || !strings.Contains(errb.String(), "no extracts to evaluate") {
		t.Errorf("a config with no extracts: exit %d, stderr %q; want one line saying so", code, errb.String())
	}
}
