package reports

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/socrx/socrx/disclosure"
)

// fixtureWorkbook builds the fixture's 2024-Q1 report, with the given contact, and
// writes its workbook; it returns the report and the workbook read back.
func fixtureWorkbook(t *testing.T, contact string) (*Report, *excelize.File) {
	t.Helper()
	db := fixtureDB(t)
	o := testOptions(t.TempDir())
	o.Prov.Contact = contact
	r, err := Build(context.Background(), db, BuildOptions{Period: "2024-Q1", Policy: o.Policy, SchemeNames: o.SchemeNames, Prov: o.Prov})
	if err != nil {
		t.Fatal(err)
	}
	b, err := workbook(r)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.xlsx")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return r, f
}

// cellText is a cell's stored value (raw) or its value as shown (formatted).
func cellText(t *testing.T, f *excelize.File, sheet, cell string, raw bool) string {
	t.Helper()
	v, err := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: raw})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// numFmt is the display format of a cell's style.
func numFmt(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return "builtin " + strconv.Itoa(st.NumFmt)
}

// TestWorkbookFrontSheets: the workbook opens with a Cover, a Contents and a Notes sheet,
// in that order, and the cover says what the standard asks of it.
func TestWorkbookFrontSheets(t *testing.T) {
	for _, tc := range []struct {
		name, contact, wantContact string
	}{
		{"no contact configured", "", "Contact: not configured."},
		{"contact configured", "SP evaluation team, sp-evaluation@example.nhs.uk", "SP evaluation team, sp-evaluation@example.nhs.uk"},
		{"contact with a hidden character", "team\u202Eevil", `team\u202Eevil`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, f := fixtureWorkbook(t, tc.contact)
			sheets := f.GetSheetList()
			if len(sheets) != 3+len(r.Tables) || sheets[0] != "Cover" || sheets[1] != "Contents" || sheets[2] != "Notes" {
				t.Fatalf("sheets %v; want Cover, Contents, Notes and one per table (%d)", sheets, len(r.Tables))
			}
			if f.GetActiveSheetIndex() != 0 {
				t.Errorf("the workbook opens on sheet %d, not the cover", f.GetActiveSheetIndex())
			}
			rows, err := f.GetRows("Cover")
			if err != nil {
				t.Fatal(err)
			}
			var cover []string
			for _, row := range rows {
				if len(row) != 1 {
					t.Errorf("cover row %q: everything on the cover is in column A", row)
				}
				cover = append(cover, strings.Join(row, ""))
			}
			text := strings.Join(cover, "\n")
			for _, want := range []string{
				"Social prescribing evaluation tables, 2024-Q1", "1 January 2024 to 31 March 2024",
				"S1 (Small Scheme)", "Counts of people or events from 1 to 7 are suppressed (shown [c])",
				"rounded to the nearest 5", "Run 1, started 2024-06-01 02:00 UTC", "code version test",
				"Source\n", "Provenance\n", "Contact\n" + tc.wantContact,
			} {
				if !strings.Contains(text, want) {
					t.Errorf("the cover lacks %q:\n%s", want, text)
				}
			}
			if cover[0] != "Social prescribing evaluation tables, 2024-Q1" {
				t.Errorf("cover A1 %q", cover[0])
			}

			// contents: one row per table sheet, its name a link to the sheet
			for i, sheet := range sheets[3:] {
				cell := "A" + strconv.Itoa(4+i)
				if got := cellText(t, f, "Contents", cell, true); got != sheet {
					t.Errorf("contents %s = %q, want %q", cell, got, sheet)
				}
				ok, link, err := f.GetCellHyperLink("Contents", cell)
				if err != nil || !ok || link != "'"+sheet+"'!A1" {
					t.Errorf("contents %s links to %q (%v, %v), want '%s'!A1", cell, link, ok, err, sheet)
				}
				if got := cellText(t, f, "Contents", "B"+strconv.Itoa(4+i), true); got != r.Tables[i].Title {
					t.Errorf("contents B%d = %q, want the title %q", 4+i, got, r.Tables[i].Title)
				}
			}

			// notes: numbered, note 1 is the counts note the headers carry
			notes, err := f.GetRows("Notes")
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) < 4 || notes[2][0] != "Note number" || notes[3][0] != countMarker ||
				!strings.HasPrefix(notes[3][1], "Counts of people or events") {
				t.Fatalf("notes start %q", notes[:min(4, len(notes))])
			}
			all := ""
			for i, n := range notes[3:] {
				if n[0] != "[note "+strconv.Itoa(i+1)+"]" {
					t.Errorf("note %d is numbered %q", i+1, n[0])
				}
				if n[0] == readingMarker && !strings.HasPrefix(n[1], "Readings") {
					t.Errorf("%s is not the readings note: %s", readingMarker, n[1])
				}
				all += n[1] + "\n"
			}
			for _, want := range []string{"[c] = confidential", "[z] = not applicable", "Secondary suppression", "halves up",
				"Contacted: first link-worker contact within 60 days", "too recent"} {
				if !strings.Contains(all, want) {
					t.Errorf("the notes lack %q", want)
				}
			}
		})
	}
}

// TestWorkbookTableSheets reads every table sheet back: its layout (title in A1, a line in
// A2, one Excel table from A3 with one header row in words, no merged cells or blank
// rows), sheet names, widths, and every cell against the report model: numbers stored as
// numbers with a display format, [c] where suppressed and [z] where there is no value.
func TestWorkbookTableSheets(t *testing.T) {
	r, f := fixtureWorkbook(t, "")
	sheets := f.GetSheetList()[3:]
	seen := map[string]bool{}
	for _, name := range sheets {
		if utf8.RuneCountInString(name) > 31 || strings.ContainsAny(name, `[]:*?/\_`) || seen[strings.ToLower(name)] {
			t.Errorf("sheet name %q: want words, at most 31 characters, unique, none of []:*?/\\", name)
		}
		seen[strings.ToLower(name)] = true
	}
	checks := []struct {
		name  string
		check func(t *testing.T, sheet string, tbl *Table)
	}{
		{"title in A1 and a line on what it shows in A2", func(t *testing.T, sheet string, tbl *Table) {
			if got := cellText(t, f, sheet, "A1", true); got != tbl.Title {
				t.Errorf("A1 %q, want %q", got, tbl.Title)
			}
			if got := cellText(t, f, sheet, "A2", true); !strings.Contains(got, "Notes sheet") {
				t.Errorf("A2 %q does not say where the notes are", got)
			}
		}},
		{"one Excel table from A3, header in words", func(t *testing.T, sheet string, tbl *Table) {
			tables, err := f.GetTables(sheet)
			if err != nil || len(tables) != 1 {
				t.Fatalf("%d tables (%v), want 1", len(tables), err)
			}
			last, _ := excelize.ColumnNumberToName(len(tbl.Columns))
			if want := "A3:" + last + strconv.Itoa(3+max(1, len(tbl.Rows))); tables[0].Range != want {
				t.Errorf("table range %s, want %s", tables[0].Range, want)
			}
			heads := map[string]bool{}
			for j, c := range tbl.Columns {
				cell, _ := excelize.CoordinatesToCellName(j+1, 3)
				h := cellText(t, f, sheet, cell, true)
				if strings.Contains(h, "_") || h == "" || heads[strings.ToLower(h)] {
					t.Errorf("header %s %q (column %s): want unique words", cell, h, c.Name)
				}
				heads[strings.ToLower(h)] = true
				if (c.Kind == disclosure.KindCount) != strings.HasSuffix(h, " "+countMarker) {
					t.Errorf("header %q of %s: count columns, and only they, carry %s", h, c.Name, countMarker)
				}
			}
			merged, err := f.GetMergeCells(sheet)
			if err != nil || len(merged) != 0 {
				t.Errorf("merged cells %v (%v)", merged, err)
			}
		}},
		{"column widths set from content", func(t *testing.T, sheet string, tbl *Table) {
			unset, err := f.GetColWidth(sheet, "ZZ") // a column nobody sized
			if err != nil {
				t.Fatal(err)
			}
			for j := range tbl.Columns {
				col, _ := excelize.ColumnNumberToName(j + 1)
				w, err := f.GetColWidth(sheet, col)
				if err != nil {
					t.Fatal(err)
				}
				if w < minWidth || w > maxWidth || w == unset {
					t.Errorf("column %s width %g, not set from content", col, w)
				}
				for i, row := range tbl.Rows {
					if n := utf8.RuneCountInString(display(row[j])); float64(n) > w && w < maxWidth {
						t.Errorf("column %s width %g is narrower than row %d's %q", col, w, i, display(row[j]))
					}
				}
			}
		}},
		{"cells as the model has them", func(t *testing.T, sheet string, tbl *Table) {
			for i, row := range tbl.Rows {
				for j, c := range row {
					cell, _ := excelize.CoordinatesToCellName(j+1, 4+i)
					checkCell(t, f, sheet, cell, c)
				}
			}
			if len(tbl.Rows) == 0 {
				if got := cellText(t, f, sheet, "A4", true); got != shortNotApplicable {
					t.Errorf("empty table: A4 %q, want %s", got, shortNotApplicable)
				}
			}
		}},
	}
	for i, tbl := range r.Tables {
		for _, c := range checks {
			t.Run(sheets[i]+"/"+c.name, func(t *testing.T) { c.check(t, sheets[i], tbl) })
		}
	}
}

// checkCell compares one workbook cell with the model's cell.
func checkCell(t *testing.T, f *excelize.File, sheet, cell string, c *disclosure.Cell) {
	t.Helper()
	raw := cellText(t, f, sheet, cell, true)
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	number := func(want float64, format string) {
		t.Helper()
		if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s!%s %q is stored as cell type %d, not a number", sheet, cell, raw, typ)
		}
		if got, err := strconv.ParseFloat(raw, 64); err != nil || got != want {
			t.Errorf("%s!%s stores %q, want %v at full precision", sheet, cell, raw, want)
		}
		if got := numFmt(t, f, sheet, cell); got != format {
			t.Errorf("%s!%s display format %q, want %q", sheet, cell, got, format)
		}
		// shown with a fixed number of decimals, never the stored precision
		shown := cellText(t, f, sheet, cell, false)
		if _, frac, ok := strings.Cut(strings.TrimSuffix(shown, "%"), "."); ok && len(frac) > 3 {
			t.Errorf("%s!%s is shown as %q", sheet, cell, shown)
		}
	}
	switch {
	case c.Kind == disclosure.KindText:
		want := c.Text
		if want == "" {
			want = shortNotApplicable
		}
		if raw != want {
			t.Errorf("%s!%s %q, want %q", sheet, cell, raw, want)
		}
	case c.Suppressed:
		if raw != shortSuppressed {
			t.Errorf("%s!%s %q, want %s (suppressed)", sheet, cell, raw, shortSuppressed)
		}
	case c.Null:
		if raw != shortNotApplicable {
			t.Errorf("%s!%s %q, want %s (no value)", sheet, cell, raw, shortNotApplicable)
		}
	case c.Kind == disclosure.KindCount || c.Kind == disclosure.KindPlain:
		number(float64(c.N), fmtCount)
	case c.Format == disclosure.FmtBool:
		want := 0.0
		if c.V != 0 {
			want = 1
		}
		number(want, fmtYesNo)
	default:
		format := map[disclosure.Format]string{disclosure.FmtPercent: fmtPercent, disclosure.FmtPer1000: fmtOneDec,
			disclosure.FmtDays: fmtCount, disclosure.FmtInteger: fmtCount, disclosure.FmtStat: fmtStat, disclosure.FmtDecimal: fmtTwoDec}[c.Format]
		number(roundSig(c.V), format)
	}
}

// TestWorkbookNames: sheet, table and header names stay valid and unique whatever the
// tables are called.
func TestWorkbookNames(t *testing.T) {
	long := strings.Repeat("very_long_table_name_", 3)
	for _, tc := range []struct {
		name   string
		tables []string
		sheets []string
		excel  []string // Excel table names
	}{
		{"words", []string{"pathway_by_quintile", "trend"}, []string{"Pathway by quintile", "Trend"}, []string{"pathway_by_quintile", "trend"}},
		{"reserved and repeated", []string{"notes", "cover", "Trend", "trend"}, []string{"Notes 2", "Cover 2", "Trend", "Trend 2"},
			[]string{"notes", "cover", "Trend", "trend_2"}},
		{"too long", []string{long, long}, []string{"Very long table name very long", "Very long table name very lon 2"},
			[]string{long, long + "_2"}},
		{"forbidden characters", []string{"a/b:c?", "[x]*", "r1c1", "A1", "2024"}, []string{"Abc", "X", "R1c1", "A1", "2024"},
			[]string{"a_b_c_", "_x__", "table_r1c1", "table_A1", "table_2024"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var tables []*Table
			for _, n := range tc.tables {
				tables = append(tables, &Table{Name: n})
			}
			if got := sheetNames(tables); strings.Join(got, "|") != strings.Join(tc.sheets, "|") {
				t.Errorf("sheet names %q, want %q", got, tc.sheets)
			}
			if got := tableNames(tc.tables); strings.Join(got, "|") != strings.Join(tc.excel, "|") {
				t.Errorf("table names %q, want %q", got, tc.excel)
			}
		})
	}
	for _, tc := range []struct {
		name    string
		columns []Column
		want    []string
	}{
		{"labels, counts marked", []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"referrals_n", "Referrals", disclosure.KindCount},
			{"reading", "Reading", disclosure.KindText}}, []string{"Scheme", "Referrals [note 1]", "Reading [note 5]"}},
		{"no labels", []Column{{"days_to_first_contact", "", disclosure.KindValue}, {"episodes_n", "", disclosure.KindCount}},
			[]string{"Days to first contact", "Episodes [note 1]"}},
		{"repeated labels named after their column", []Column{{"sii", "SII", disclosure.KindValue}, {"sii_lower", "Lower 95%", disclosure.KindValue},
			{"mean_change", "Mean change", disclosure.KindValue}, {"mean_change_lower", "Lower 95%", disclosure.KindValue}},
			[]string{"SII", "SII: lower 95%", "Mean change", "Mean change: lower 95%"}},
		{"repeated labels without a parent", []Column{{"a_x", "Value", disclosure.KindValue}, {"b_y", "value", disclosure.KindValue}, {"c", "Value", disclosure.KindValue}},
			[]string{"Value (a x)", "Value (b y)", "Value (c)"}},
		{"snake_case label", []Column{{"x", "share_contacted", disclosure.KindValue}}, []string{"Share contacted"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := workbookHeaders(&Table{Columns: tc.columns}); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("headers %q, want %q", got, tc.want)
			}
		})
	}
}
