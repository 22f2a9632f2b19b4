package reports

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/socrx/socrx/disclosure"
)

// TestScanFindsSmallCountsInLayouts plants disclosure failures in a rendered workbook
// (title rows above each table, [c] for suppressed) and in a rendered CSV file (empty
// cells with _suppressed flags), and checks that Scan finds each one and passes the
// files as rendered.
func TestScanFindsSmallCountsInLayouts(t *testing.T) {
	out, _ := render(t)
	p := disclosure.Policy{Threshold: 7, Rounding: 5}
	xlsxPath := filepath.Join(out, "2024-Q1", "socrx-2024-Q1.xlsx")
	csvPath := filepath.Join(out, "2024-Q1", "csv", "pathway_by_quintile.csv")
	const sheet = "Pathway by quintile" // numerator in D, from the header in row 3

	for _, tc := range []struct {
		name  string
		file  string // the file planted in an otherwise empty directory
		plant func(t *testing.T, path string)
		want  string // a fragment of the one problem expected; "" = none
	}{
		{"workbook as rendered", xlsxPath, nil, ""},
		{"workbook: a small count", xlsxPath, setCell(sheet, "D4", 3), "count 3 is between 1 and 7"},
		{"workbook: off the rounding grid", xlsxPath, setCell(sheet, "D4", 12), "count 12 is not a multiple of 5"},
		{"workbook: a count as text", xlsxPath, setCell(sheet, "D4", "5"), "count 5 is between 1 and 7"},
		{"workbook: a marker other than [c]", xlsxPath, setCell(sheet, "D4", "*x"), `count "*x" is not a number`},
		{"workbook: [c] and [z]", xlsxPath, func(t *testing.T, path string) {
			setCell(sheet, "D4", shortSuppressed)(t, path)
			setCell(sheet, "E4", shortNotApplicable)(t, path)
		}, ""},
		{"workbook: a count in the last row", xlsxPath, func(t *testing.T, path string) {
			f := openXLSX(t, path)
			tables, err := f.GetTables(sheet)
			f.Close()
			if err != nil || len(tables) != 1 {
				t.Fatalf("tables %v, %v", tables, err)
			}
			_, last, _ := strings.Cut(tables[0].Range, ":")
			_, row, _ := excelize.SplitCellName(last)
			setCell(sheet, "D"+itoa(row), 6)(t, path)
		}, "count 6 is between 1 and 7"},
		{"CSV as rendered", csvPath, nil, ""},
		{"CSV: a small count", csvPath, setCSV("ALL", "reach", "1", "numerator_n", "3", ""), "count 3 is between 1 and 7"},
		{"CSV: off the rounding grid", csvPath, setCSV("ALL", "reach", "1", "denominator_n", "3501", ""), "count 3501 is not a multiple of 5"},
		{"CSV: a suppressed cell that holds a count", csvPath, setCSV("ALL", "reach", "1", "numerator_n", "40", "true"), `suppressed, yet holds "40"`},
		{"CSV: a suppressed value that holds a number", csvPath, setCSV("ALL", "reach", "1", "value", "11.4", "true"), `suppressed, yet holds "11.4"`},
		{"CSV: a flag that is neither true nor false", csvPath, setCSV("ALL", "reach", "1", "numerator_n", "40", "yes"), `numerator_n_suppressed is "yes"`},
		{"CSV: suppressed, empty", csvPath, setCSV("ALL", "reach", "1", "numerator_n", "", "true"), ""},
		{"CSV: the old marker", csvPath, setCSV("ALL", "reach", "1", "numerator_n", "*", "true"), `suppressed, yet holds "*"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, filepath.Base(tc.file))
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.plant != nil {
				tc.plant(t, path)
			}
			n, problems, err := Scan(dir, p)
			if err != nil {
				t.Fatal(err)
			}
			if n < 50 {
				t.Errorf("checked only %d cells", n)
			}
			switch {
			case tc.want == "" && len(problems) > 0:
				t.Errorf("problems in a clean file: %q", problems)
			case tc.want != "" && (len(problems) != 1 || !strings.Contains(problems[0], tc.want)):
				t.Errorf("problems %q, want one with %q", problems, tc.want)
			}
		})
	}
}

func openXLSX(t *testing.T, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// setCell returns a plant that sets one workbook cell.
func setCell(sheet, cell string, v any) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		t.Helper()
		f := openXLSX(t, path)
		defer f.Close()
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
		if err := f.Save(); err != nil {
			t.Fatal(err)
		}
	}
}

// setCSV returns a plant that sets a column (and its _suppressed flag, unless flag is
// "") of the pathway_by_quintile row of scheme, measure and quintile.
func setCSV(scheme, measure, quintile, col, v, flag string) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		idx := map[string]int{}
		for j, h := range recs[0] {
			idx[h] = j
		}
		hit := false
		for _, r := range recs[1:] {
			if r[0] == scheme && r[1] == measure && r[2] == quintile {
				hit = true
				r[idx[col]] = v
				if flag != "" {
					r[idx[col+"_suppressed"]] = flag
				}
			}
		}
		if !hit {
			t.Fatalf("no row %s %s %s", scheme, measure, quintile)
		}
		var buf strings.Builder
		w := csv.NewWriter(&buf)
		if err := w.WriteAll(recs); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(buf.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
