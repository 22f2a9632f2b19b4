package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/reports"
)

// TestDemoPassesScan runs the independent disclosure scan over everything `socrx demo`
// writes under its reports folder, under the demo's policy and again with the demo's
// database reported under threshold 10, rounding 10: the demo loads outcomes and the GP
// record, whose readings the reports package's own demo test (platform extracts only)
// does not compose. Its readings once quoted a literal "below 0" and opened sentences with
// "About N", both of which the scan read as unmarked counts.
func TestDemoPassesScan(t *testing.T) {
	demo := demoDir(t)
	// a copy of the database and config, so the shared demo's tables stay as written (the
	// extracts, which the config names, only linked)
	dir := t.TempDir()
	if err := copyTree(filepath.Join(demo, "db"), filepath.Join(dir, "db")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(demo, "extracts"), filepath.Join(dir, "extracts")); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(demo, "socrx.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg = append(cfg, []byte("disclosure: { threshold: 10, rounding: 10 }\n")...)
	if err := os.WriteFile(filepath.Join(dir, "socrx.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := Main([]string{"report", "--config", filepath.Join(dir, "socrx.yaml"), "--log-format", "json"}, &out, &errb); code != 0 {
		t.Fatalf("report under threshold 10 exited %d: %s", code, errb.String())
	}
	for _, c := range []struct {
		dir    string
		policy disclosure.Policy
	}{
		{filepath.Join(demo, "reports"), disclosure.Policy{Threshold: 7, Rounding: 5}},
		{filepath.Join(dir, "reports"), disclosure.Policy{Threshold: 10, Rounding: 10}},
	} {
		n, problems, err := reports.Scan(c.dir, c.policy)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range problems {
			if i == 10 {
				t.Errorf("... and %d more", len(problems)-10)
				break
			}
			t.Error(p)
		}
		if n < 10000 {
			t.Errorf("%s: scan checked only %d counts", c.dir, n)
		}
	}
}
