package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/reports"
)

// TestGPReportOnly: a GP-only configuration (no platform extracts) runs end to end with
// reports: every complete period of the GP record has a report with the GP record
// section, the report says plainly that no platform data were loaded instead of showing
// the platform's sections empty, the index lists the periods, and the disclosure scan
// passes over everything written.
func TestGPReportOnly(t *testing.T) {
	dir, cfg := gpOnlyProject(t)
	var out, errb bytes.Buffer
	if code := Main([]string{"run", "--config", cfg, "--logical-date", "2025-02-01"}, &out, &errb); code != 0 {
		t.Fatalf("run exited %d: %s%s", code, out.String(), errb.String())
	}
	rdir := filepath.Join(dir, "reports")
	pages, err := filepath.Glob(filepath.Join(rdir, "*", "ALL.html"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("a GP-only run wrote no period report")
	}
	// the platform's charts and sections: none may be drawn (an empty chart reads as zero)
	platform := regexp.MustCompile(`id="(summary|equity|practice|linkwork|outcomes|trend-s|cascade|sessions|first-contact|indices|trend|(eq|grp)-(reach|contacted|engaged|vcs_uptake|dna)|funnel-(contacted|referral_rate))"`)
	for _, p := range pages {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		name := filepath.Base(filepath.Dir(p)) + "/ALL.html"
		for _, want := range []string{`<h2 id="gp-record">`, `id="no-platform"`, "No platform data were loaded for this period",
			"not linked", "Codes in no codelist"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s has no %q", name, want)
			}
		}
		if m := platform.FindString(page); m != "" {
			t.Errorf("%s shows a platform section or chart (%s) with no platform data", name, m)
		}
		if strings.Contains(page, "No rows for this scheme and period") && strings.Contains(page, "Referral sources") {
			t.Errorf("%s shows the platform's tables empty", name)
		}
	}
	idx, err := os.ReadFile(filepath.Join(rdir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(idx), "No reports have been written yet") {
		t.Error("index.html says no reports yet after a GP-only run")
	}
	for _, p := range pages {
		period := filepath.Base(filepath.Dir(p))
		if !strings.Contains(string(idx), `id="p-`+period+`"`) {
			t.Errorf("index.html does not list %s", period)
		}
		if _, err := os.Stat(filepath.Join(rdir, period, "csv", "gp_by_quintile.csv")); err != nil {
			t.Errorf("%s: %v", period, err)
		}
	}
	checked, problems, err := reports.Scan(rdir, disclosure.Policy{Threshold: 7, Rounding: 5})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Error("the scan checked no count")
	}
	for _, p := range problems {
		t.Error(p)
	}
}
