package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportContact: report_contact is optional, and when given it is one plain line,
// since every workbook's cover publishes it as it is.
func TestReportContact(t *testing.T) {
	for _, tc := range []struct {
		name, line string // line: the report_contact line of the file ("" = none)
		want       string // the contact loaded
		err        string // a fragment of the error; "" = loads
	}{
		{name: "absent", line: ""},
		{name: "one line", line: `report_contact: "SP evaluation team, sp-evaluation@example.nhs.uk"`,
			want: "SP evaluation team, sp-evaluation@example.nhs.uk"},
		{name: "unicode", line: `report_contact: "Équipe d’évaluation – 0113 496 0000"`, want: "Équipe d’évaluation – 0113 496 0000"},
		{name: "blank", line: `report_contact: "   "`, err: "report_contact"},
		{name: "two lines", line: `report_contact: "team\nphone"`, err: "control or formatting character U+000A"},
		{name: "bidi override", line: `report_contact: "team \u202Eevil"`, err: "U+202E"},
		{name: "zero width", line: `report_contact: "te\u200Bam"`, err: "U+200B"},
		{name: "too long", line: `report_contact: "` + strings.Repeat("x", MaxContactLength+1) + `"`, err: "at most 200"},
		{name: "longest", line: `report_contact: "` + strings.Repeat("x", MaxContactLength) + `"`, want: strings.Repeat("x", MaxContactLength)},
		{name: "not a string", line: `report_contact: { email: a@b }`, err: "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "extracts"), 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "socrx.yaml")
			data := "database: db/x.duckdb\n" + tc.line + "\n" + layoutSources
			cfg, err := Parse([]byte(data), path)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != "" && err == nil:
				t.Fatalf("loaded %q; want an error with %q", cfg.ReportContact, tc.err)
			case tc.err != "":
				if !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %q lacks %q", err, tc.err)
				}
				return
			}
			if cfg.ReportContact != tc.want {
				t.Errorf("contact %q, want %q", cfg.ReportContact, tc.want)
			}
		})
	}
}
