package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/socrx/socrx/disclosure"
	"github.com/xuri/excelize/v2"
)

// workbook writes a period's tables to the GSS standard "Releasing statistics in
// spreadsheets": a Cover, a Contents and a Notes sheet first, then one sheet per table
// with its title in A1, what it shows in A2 and one Excel table from A3 under a single
// header row in words. Numbers are stored as numbers with display formats; a cell with no
// published number holds the standard's shorthand, [c] suppressed or [z] not applicable.
// Document properties are fixed and the archive normalised, so the same report gives
// the same bytes.
func workbook(r *Report) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	stamp := r.Prov.RunTime.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: coverTitle(r), Creator: "socrx", LastModifiedBy: "socrx", Language: "en-GB",
		Created: stamp, Modified: stamp, Revision: "1",
		Description: fmt.Sprintf("Disclosure control: counts 1-%d suppressed [c], others rounded to the nearest %d. Data end %s.",
			r.Policy.Threshold, r.Policy.Rounding, dateOrNone(r.Prov.DataEnd)),
	}); err != nil {
		return nil, fmt.Errorf("setting workbook properties: %w", err)
	}
	w := &xlsxWriter{f: f, styles: map[xlsxStyle]int{}}
	sheets := sheetNames(r.Tables)
	machine := []string{"contents", "notes"}
	for _, t := range r.Tables {
		machine = append(machine, t.Name)
	}
	tables := tableNames(machine)
	if err := f.SetSheetName("Sheet1", "Cover"); err != nil {
		return nil, fmt.Errorf("naming the cover sheet: %w", err)
	}
	for _, s := range append([]string{"Contents", "Notes"}, sheets...) {
		if _, err := f.NewSheet(s); err != nil {
			return nil, fmt.Errorf("adding sheet %s: %w", s, err)
		}
	}
	if err := w.cover(r, sheets); err != nil {
		return nil, err
	}
	if err := w.contents(r, sheets, tables[0]); err != nil {
		return nil, err
	}
	if err := w.notes(r, tables[1]); err != nil {
		return nil, err
	}
	for i, t := range r.Tables {
		if err := w.tableSheet(sheets[i], tables[i+2], t); err != nil {
			return nil, err
		}
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("writing workbook: %w", err)
	}
	return normaliseZip(buf.Bytes())
}

// xlsxWriter writes one workbook, making each cell style once.
type xlsxWriter struct {
	f      *excelize.File
	styles map[xlsxStyle]int
}

// xlsxStyle is one cell style of the workbook.
type xlsxStyle struct {
	numFmt                  string // display format; "" = General
	title, heading          bool   // sheet title (A1), a heading on the cover or a header row
	right, wrap, link, hang bool   // hang: aligned to the top, for rows that wrap
}

func (w *xlsxWriter) style(s xlsxStyle) (int, error) {
	if id, ok := w.styles[s]; ok {
		return id, nil
	}
	st := &excelize.Style{Font: &excelize.Font{Bold: s.title || s.heading}, Alignment: &excelize.Alignment{WrapText: s.wrap}}
	if s.numFmt != "" {
		nf := s.numFmt
		st.CustomNumFmt = &nf
	}
	if s.title {
		st.Font.Size = 14
	}
	if s.link {
		st.Font.Color, st.Font.Underline = "0563C1", "single"
	}
	if s.right {
		st.Alignment.Horizontal = "right"
	}
	if s.hang {
		st.Alignment.Vertical = "top"
	}
	id, err := w.f.NewStyle(st)
	if err != nil {
		return 0, fmt.Errorf("styling workbook: %w", err)
	}
	w.styles[s] = id
	return id, nil
}

// line writes one text cell with its style.
func (w *xlsxWriter) line(sheet, cell, text string, s xlsxStyle) error {
	if err := w.f.SetCellStr(sheet, cell, text); err != nil {
		return fmt.Errorf("writing %s!%s: %w", sheet, cell, err)
	}
	id, err := w.style(s)
	if err != nil {
		return err
	}
	if err := w.f.SetCellStyle(sheet, cell, cell, id); err != nil {
		return fmt.Errorf("styling %s!%s: %w", sheet, cell, err)
	}
	return nil
}

// heading writes a sheet's title in A1 and the line under it in A2.
func (w *xlsxWriter) heading(sheet, title, about string) error {
	if err := w.line(sheet, "A1", title, xlsxStyle{title: true}); err != nil {
		return err
	}
	return w.line(sheet, "A2", about, xlsxStyle{})
}

func coverTitle(r *Report) string { return "Social prescribing evaluation tables, " + r.Period }

func dateOrNone(t time.Time) string {
	if t.IsZero() {
		return "not recorded"
	}
	return t.Format("2 January 2006")
}

// cover is the Cover sheet: what the workbook is, its period, schemes and source, the
// disclosure rules in words, provenance and a contact, one line each in column A.
func (w *xlsxWriter) cover(r *Report, sheets []string) error {
	const sheet = "Cover"
	var schemes []string
	for _, s := range r.Schemes {
		if s.ID == "ALL" {
			continue
		}
		item := visible(s.ID)
		if s.Name != "" && s.Name != s.ID {
			item += " (" + visible(s.Name) + ")"
		}
		schemes = append(schemes, item)
	}
	var kinds []string
	seen := map[string]bool{}
	for _, f := range r.Prov.Files {
		if k := visible(f.Kind); !seen[k] {
			seen[k] = true
			kinds = append(kinds, k)
		}
	}
	source := "Extracts from social prescribing platforms and general practice"
	if len(kinds) > 0 {
		source += " (" + strings.Join(kinds, ", ") + ")"
	}
	source += fmt.Sprintf(", with the English Indices of Deprivation (%s, %s quintiles), processed by socrx.",
		visible(r.Prov.DeprivationEdition), visible(r.Prov.Quantiles))
	for i, t := range r.Tables {
		if t.Name == "files" {
			source += fmt.Sprintf(" Every extract file is listed, with its SHA-256, in the %s sheet.", sheets[i])
		}
	}
	contact := "Contact: not configured."
	if c := strings.TrimSpace(r.Prov.Contact); c != "" {
		contact = visible(c)
	}
	p := r.Policy
	lines := []struct{ head, text string }{
		{"", fmt.Sprintf("The published tables of the socrx evaluation of social prescribing schemes for %s, for each scheme and for all "+
			"schemes together. The Contents sheet lists every table with a link to it; the Notes sheet explains the notes marked in "+
			"column headers and the shorthand %s and %s.", r.Period, shortSuppressed, shortNotApplicable)},
		{"Period", fmt.Sprintf("%s: referrals dated %s to %s.", r.Period, dateOrNone(r.First), dateOrNone(r.Last))},
		{"Schemes", strings.Join(schemes, "; ") + "; and all schemes together (ALL)."},
		{"Source", source},
		{"Disclosure control", fmt.Sprintf("Counts of people or events from 1 to %d are suppressed (shown %s); other counts are rounded to the "+
			"nearest %d. Rates and shares are worked out from the rounded counts and suppressed when a count behind them is; "+
			"secondary suppression protects suppressed counts from subtraction. The Notes sheet gives the rules in full.",
			p.Threshold, shortSuppressed, p.Rounding)},
		{"Provenance", fmt.Sprintf("Run %d, started %s (logical date %s); data end %s; code version %s; data fingerprint %s.",
			r.Prov.RunID, r.Prov.RunTime.UTC().Format("2006-01-02 15:04 UTC"), dateOrNone(r.Prov.LogicalDate),
			dateOrNone(r.Prov.DataEnd), visible(r.Prov.CodeVersion), visible(r.Prov.Fingerprint))},
		{"Contact", contact},
	}
	if err := w.line(sheet, "A1", coverTitle(r), xlsxStyle{title: true}); err != nil {
		return err
	}
	row := 2
	for _, l := range lines {
		if l.head != "" {
			if err := w.line(sheet, fmt.Sprintf("A%d", row), l.head, xlsxStyle{heading: true}); err != nil {
				return err
			}
			row++
		}
		if err := w.line(sheet, fmt.Sprintf("A%d", row), l.text, xlsxStyle{wrap: true, hang: true}); err != nil {
			return err
		}
		row++
	}
	if err := w.f.SetColWidth(sheet, "A", "A", 100); err != nil {
		return fmt.Errorf("sizing %s: %w", sheet, err)
	}
	return nil
}

// contents is the Contents sheet: one row per table sheet, its name a link to it.
func (w *xlsxWriter) contents(r *Report, sheets []string, name string) error {
	const sheet = "Contents"
	if err := w.heading(sheet, "Contents", "This worksheet contains one table: every table sheet of the workbook. Select a sheet name to go to it; notes are in the Notes sheet."); err != nil {
		return err
	}
	rows := make([][]xlsxCell, len(r.Tables))
	for i, t := range r.Tables {
		rows[i] = []xlsxCell{
			{v: sheets[i], shown: sheets[i], link: "'" + sheets[i] + "'!A1", style: xlsxStyle{link: true, hang: true}},
			textCell(tableTitle(t)), textCell(tableAbout(t)),
		}
	}
	return w.grid(sheet, name, []string{"Sheet name", "Table title", "What it shows"}, rows)
}

// notes is the Notes sheet: numbered notes, which headers point to as "[note N]".
func (w *xlsxWriter) notes(r *Report, name string) error {
	const sheet = "Notes"
	if err := w.heading(sheet, "Notes", "This worksheet contains one table. Column headers refer to these notes as [note 1] and so on."); err != nil {
		return err
	}
	var rows [][]xlsxCell
	for i, n := range workbookNotes(r) {
		rows = append(rows, []xlsxCell{textCell(fmt.Sprintf("[note %d]", i+1)), textCell(n)})
	}
	return w.grid(sheet, name, []string{"Note number", "Note text"}, rows)
}

// workbookNotes are the Notes sheet's notes in order: note 1 is the counts note and note
// 5 the readings note that headers carry (countMarker, readingMarker).
func workbookNotes(r *Report) []string {
	p := r.Policy
	var windows []string
	for _, m := range []string{"contacted", "engaged", "vcs_uptake", "dna"} {
		windows = append(windows, measureTitle(r, m))
	}
	trend := ""
	if t := r.Table("trend"); t != nil && t.Note != "" {
		trend = " Trend: " + t.Note
	}
	return []string{
		fmt.Sprintf("Counts of people or events (columns marked %s) are under disclosure control: 0 stays 0; counts from 1 to %d are "+
			"suppressed and shown %s; larger counts are rounded to the nearest %d (halves up), and a count that would round to %d or "+
			"below is suppressed too. Each count is rounded on its own, so a total may differ from the sum of its parts.",
			countMarker, p.Threshold, shortSuppressed, p.Rounding, p.Threshold),
		fmt.Sprintf("Shorthand: %s = confidential, withheld by disclosure control (a count from 1 to %d, a value worked out from one, or a "+
			"cell withheld by secondary suppression, note 4); %s = not applicable, there is no value (nothing to divide by, not "+
			"computable, or not in the data).", shortSuppressed, p.Threshold, shortNotApplicable),
		fmt.Sprintf("Rates, shares, gaps, ratios and their intervals are worked out from the rounded counts and suppressed when any count "+
			"behind them is. Means, medians and percentiles of person-level values are suppressed when they rest on %d people or fewer; "+
			"maxima are never published. Model outputs (SII, RII, RCI, ACI, Erreygers and their intervals) are exempt.", p.Threshold),
		"Secondary suppression: wherever counts add up to a published total (quintiles or groups to the scheme, schemes to all " +
			"schemes, histogram bins, referral sources, practices), a line with exactly one suppressed cell has its next smallest " +
			"cell suppressed too, repeated across every table of the workbook until nothing changes, so that a suppressed count " +
			"cannot be worked out by subtraction.",
		fmt.Sprintf("Readings (columns marked %s) are plain English composed from the published cells: a count of people or events is "+
			"quoted only as published (\"about 120\"), and as \"a few\" or \"an undisclosed number\" where it is suppressed.", readingMarker),
		"Numbers are stored as numbers at full precision and shown rounded: counts with thousands separators, shares as percentages " +
			"to one decimal place (stored as proportions, so 0.25 shows as 25.0%), statistics to two or three decimal places. " +
			"Yes/no flags are stored as 1 (yes) and 0 (no).",
		fmt.Sprintf("Period %s covers referrals dated %s to %s. Follow-up windows: %s. Referrals too recent for a window at the data "+
			"end (%s) are left out of that measure and counted as too recent, not as failures.%s",
			r.Period, dateOrNone(r.First), dateOrNone(r.Last), strings.Join(windows, "; "), dateOrNone(r.Prov.DataEnd), trend),
		"Flags (a practice outside the funnel limits, a fixed session cap detected) are decided once, on the unrounded counts, " +
			"and suppressed wherever a count they rest on is.",
		"The signals are signals, not a checklist or a score. Many measures are tested across schemes and periods, so some " +
			"\"significant\" results are expected by chance; routine records show what was recorded, not why.",
	}
}

func tableTitle(t *Table) string {
	if t.Title != "" {
		return t.Title
	}
	return words(t.Name)
}

func tableAbout(t *Table) string {
	if t.Note != "" {
		return t.Note
	}
	return tableTitle(t) + "."
}

// tableSheet writes one table's sheet: title, a line on what it shows and where its
// notes are, then the table.
func (w *xlsxWriter) tableSheet(sheet, name string, t *Table) error {
	marked := ""
	for _, c := range t.Columns {
		switch {
		case c.Kind == disclosure.KindCount && !strings.Contains(marked, countMarker):
			marked += "counts are marked " + countMarker + "; "
		case c.Name == "reading" && !strings.Contains(marked, readingMarker):
			marked += "readings " + readingMarker + "; "
		}
	}
	about := tableAbout(t) + " Notes are in the Notes sheet: " + marked +
		shortSuppressed + " = suppressed, " + shortNotApplicable + " = not applicable."
	if len(t.Rows) == 0 {
		about += " The table has no rows: its one row is marked " + shortNotApplicable + "."
	}
	if err := w.heading(sheet, tableTitle(t), about); err != nil {
		return err
	}
	rows := make([][]xlsxCell, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([]xlsxCell, len(r))
		for j, c := range r {
			rows[i][j] = modelCell(c)
		}
	}
	return w.grid(sheet, name, workbookHeaders(t), rows)
}

// xlsxCell is one cell as the workbook holds it.
type xlsxCell struct {
	v     any    // string, int64 or float64
	shown string // what a reader sees, for the column's width
	style xlsxStyle
	link  string // a place in the workbook the cell links to
}

func textCell(s string) xlsxCell { return xlsxCell{v: s, shown: s, style: xlsxStyle{hang: true}} }

// shorthand is a cell with no published number: right-aligned, as a number would be.
func shorthand(s string) xlsxCell {
	return xlsxCell{v: s, shown: s, style: xlsxStyle{right: true, hang: true}}
}

// modelCell is a published cell as the workbook stores it: a number with its display
// format, text, or the shorthand for a cell without a published number.
func modelCell(c *disclosure.Cell) xlsxCell {
	num := func(v any, f string) xlsxCell {
		return xlsxCell{v: v, shown: display(c), style: xlsxStyle{numFmt: f, hang: true}}
	}
	switch {
	case c == nil:
		return shorthand(shortNotApplicable)
	case c.Kind == disclosure.KindText:
		if c.Text == "" {
			return shorthand(shortNotApplicable)
		}
		return textCell(c.Text)
	case c.Suppressed:
		return shorthand(shortSuppressed)
	case c.Null:
		return shorthand(shortNotApplicable)
	case c.Kind == disclosure.KindCount || c.Kind == disclosure.KindPlain:
		return num(c.N, fmtCount)
	}
	switch c.Format {
	case disclosure.FmtBool:
		v := int64(0)
		if c.V != 0 {
			v = 1
		}
		return num(v, fmtYesNo)
	case disclosure.FmtPercent:
		return num(roundSig(c.V), fmtPercent)
	case disclosure.FmtPer1000:
		return num(roundSig(c.V), fmtOneDec)
	case disclosure.FmtDays, disclosure.FmtInteger:
		return num(roundSig(c.V), fmtCount)
	case disclosure.FmtStat:
		return num(roundSig(c.V), fmtStat)
	}
	return num(roundSig(c.V), fmtTwoDec)
}

// Column widths, in characters: wide enough for the longest value, and for the header's
// longest word (headers wrap); text longer than maxWidth wraps instead.
const (
	minWidth = 8
	maxWidth = 60
)

// grid writes one Excel table from A3: the header row, then the rows, with no blank rows
// and no merged cells; each column as wide as its content. An empty table gets one row
// of [z], since an Excel table needs a row under its header.
func (w *xlsxWriter) grid(sheet, name string, headers []string, rows [][]xlsxCell) error {
	const top = 3
	if len(rows) == 0 {
		row := make([]xlsxCell, len(headers))
		for j := range row {
			row[j] = shorthand(shortNotApplicable)
		}
		rows = [][]xlsxCell{row}
	}
	head := make([]any, len(headers))
	for j, h := range headers {
		head[j] = h
	}
	if err := w.f.SetSheetRow(sheet, fmt.Sprintf("A%d", top), &head); err != nil {
		return fmt.Errorf("writing %s: %w", sheet, err)
	}
	hs, err := w.style(xlsxStyle{heading: true, wrap: true, hang: true})
	if err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(headers), top)
	if err := w.f.SetCellStyle(sheet, fmt.Sprintf("A%d", top), last, hs); err != nil {
		return fmt.Errorf("styling %s: %w", sheet, err)
	}
	for i, r := range rows {
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = c.v
		}
		if err := w.f.SetSheetRow(sheet, fmt.Sprintf("A%d", top+1+i), &vals); err != nil {
			return fmt.Errorf("writing %s: %w", sheet, err)
		}
	}
	for j := range headers {
		width, wrap := columnWidth(headers[j], rows, j)
		col, _ := excelize.ColumnNumberToName(j + 1)
		if err := w.f.SetColWidth(sheet, col, col, width); err != nil {
			return fmt.Errorf("sizing %s: %w", sheet, err)
		}
		if err := w.styleColumn(sheet, rows, j, top+1, wrap); err != nil {
			return err
		}
	}
	yes := true
	lastCol, _ := excelize.ColumnNumberToName(len(headers))
	if err := w.f.AddTable(sheet, &excelize.Table{Range: fmt.Sprintf("A%d:%s%d", top, lastCol, top+len(rows)),
		Name: name, StyleName: "TableStyleLight1", ShowRowStripes: &yes}); err != nil {
		return fmt.Errorf("marking up the table of %s: %w", sheet, err)
	}
	return nil
}

// styleColumn styles column j's cells, one call per run of cells with the same style,
// and adds their links.
func (w *xlsxWriter) styleColumn(sheet string, rows [][]xlsxCell, j, first int, wrap bool) error {
	col, _ := excelize.ColumnNumberToName(j + 1)
	start, cur := 0, -1
	flush := func(end int) error {
		if cur < 0 {
			return nil
		}
		if err := w.f.SetCellStyle(sheet, fmt.Sprintf("%s%d", col, first+start), fmt.Sprintf("%s%d", col, first+end-1), cur); err != nil {
			return fmt.Errorf("styling %s: %w", sheet, err)
		}
		return nil
	}
	for i, r := range rows {
		s := r[j].style
		s.wrap = wrap && s.numFmt == "" && !s.right
		id, err := w.style(s)
		if err != nil {
			return err
		}
		if id != cur {
			if err := flush(i); err != nil {
				return err
			}
			start, cur = i, id
		}
		if r[j].link != "" {
			if err := w.f.SetCellHyperLink(sheet, fmt.Sprintf("%s%d", col, first+i), r[j].link, "Location"); err != nil {
				return fmt.Errorf("linking %s: %w", sheet, err)
			}
		}
	}
	return flush(len(rows))
}

// columnWidth is column j's width in characters and whether its text wraps.
func columnWidth(header string, rows [][]xlsxCell, j int) (float64, bool) {
	widest := 0
	for _, word := range strings.Fields(header) {
		widest = max(widest, utf8.RuneCountInString(word))
	}
	// a short header stays on one line; a long one wraps at about 24 characters
	widest = max(widest, min(utf8.RuneCountInString(header), 24))
	for _, r := range rows {
		widest = max(widest, utf8.RuneCountInString(r[j].shown))
	}
	width := widest + 2
	if width > maxWidth {
		return maxWidth, true
	}
	return float64(max(width, minWidth)), false
}

// normaliseZip rewrites an archive with its entries sorted by name and fixed times, so
// that library internals (map order, clocks) cannot make two runs differ.
func normaliseZip(b []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("reading workbook archive: %w", err)
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.SliceStable(files, func(i, j int) bool { return zipOrder(files[i].Name) < zipOrder(files[j].Name) })
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range files {
		rc, err := zf.Open()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", zf.Name, err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: zf.Name, Method: zip.Deflate, Modified: time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("writing %s: %w", zf.Name, err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			rc.Close()
			return nil, fmt.Errorf("writing %s: %w", zf.Name, err)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("closing workbook archive: %w", err)
	}
	return out.Bytes(), nil
}

// zipOrder keeps [Content_Types].xml first, as Office expects, and sorts the rest.
func zipOrder(name string) string {
	if name == "[Content_Types].xml" {
		return "\x00"
	}
	return name
}
