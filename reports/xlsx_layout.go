package reports

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/socrx/socrx/disclosure"
)

// How the workbook names and labels things for people (the GSS "releasing statistics in
// spreadsheets" standard): sheet names and column headers in words, note markers in
// headers. The CSV files keep the machine names.

// Column headers point to the Notes sheet as the GSS standard does, "[note N]". Two of
// the markers are also how Scan finds what it must check in a workbook, as `_n` and
// `reading` are in a CSV: a count of people or events, and a reading that quotes counts.
const (
	countMarker   = "[note 1]"
	readingMarker = "[note 5]"
)

// The shorthand of the GSS standard for cells without a published number.
const (
	shortSuppressed    = "[c]" // confidential: withheld by disclosure control
	shortNotApplicable = "[z]" // not applicable: no value
)

// Display formats of the workbook's numbers. The stored value keeps its precision
// (roundSig); the format only says how many decimals a reader sees.
const (
	fmtCount   = "#,##0"
	fmtPercent = "0.0%"
	fmtOneDec  = "#,##0.0"
	fmtTwoDec  = "#,##0.00"
	fmtStat    = "0.000"
	fmtYesNo   = `"Yes";"Yes";"No"` // a flag stored as 1 or 0
)

// reservedSheets are the sheets every workbook opens with (and Excel's own "History").
func reservedSheets() []string { return []string{"Cover", "Contents", "Notes", "History"} }

// isCountHeader says whether a header names a count of people or events: a CSV name
// ending in _n, or a workbook header carrying the counts note.
func isCountHeader(h string) bool {
	return strings.HasSuffix(h, "_n") || strings.Contains(h, countMarker)
}

// isReadingHeader says whether a header names a reading (CSV name or workbook header).
func isReadingHeader(h string) bool {
	return h == "reading" || strings.Contains(h, readingMarker)
}

// suppressible says whether a column can hold cells withheld by disclosure control:
// counts, and values worked out from them. It is decided by the column's kind, not by
// its cells, so that a CSV has the same columns whatever the period's data.
func suppressible(c Column) bool {
	return c.Kind == disclosure.KindCount || c.Kind == disclosure.KindValue
}

// capitalise puts the first letter in upper case ("referrals (contacted)" → "Referrals
// (contacted)").
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// uncapitalise puts the first letter in lower case unless the word is an acronym ("Lower
// 95%" → "lower 95%", "SII" stays).
func uncapitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	next, _ := utf8.DecodeRuneInString(s[n:])
	if r == utf8.RuneError || unicode.IsUpper(next) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// words is a machine name read aloud: the count suffix dropped, underscores as spaces
// ("days_to_first_contact" → "Days to first contact").
func words(name string) string {
	return capitalise(strings.ReplaceAll(strings.TrimSuffix(name, "_n"), "_", " "))
}

// headerWords is a column's header in words: the label the HTML shows, else its name
// read aloud; never snake_case.
func headerWords(c Column) string {
	if strings.TrimSpace(c.Label) == "" {
		return words(c.Name)
	}
	return capitalise(strings.ReplaceAll(strings.TrimSpace(c.Label), "_", " "))
}

// workbookHeaders are a table's header cells: words, unique within the table (an Excel
// table needs that; "Lower 95%" twice becomes "SII: lower 95%" and "Mean change: lower
// 95%", named after the column each bounds), counts and readings marked with their note.
func workbookHeaders(t *Table) []string {
	base := make([]string, len(t.Columns))
	seen := map[string]int{}
	for i, c := range t.Columns {
		base[i] = headerWords(c)
		seen[strings.ToLower(base[i])]++
	}
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = base[i]
		if seen[strings.ToLower(base[i])] > 1 {
			if p := parentColumn(t, i); p >= 0 {
				out[i] = base[p] + ": " + uncapitalise(base[i])
			} else if w := words(c.Name); !strings.EqualFold(w, base[i]) {
				out[i] = base[i] + " (" + uncapitalise(w) + ")"
			}
		}
		switch {
		case c.Kind == disclosure.KindCount:
			out[i] += " " + countMarker
		case c.Name == "reading":
			out[i] += " " + readingMarker
		}
	}
	return uniqueFold(out, func(s string, n int) string { return s + " (" + strconv.Itoa(n) + ")" })
}

// parentColumn is the column that column i qualifies (sii for sii_lower): the longest
// other column name that is a prefix of its name followed by "_"; -1 if none.
func parentColumn(t *Table, i int) int {
	best := -1
	for j, c := range t.Columns {
		if j != i && strings.HasPrefix(t.Columns[i].Name, c.Name+"_") && (best < 0 || len(c.Name) > len(t.Columns[best].Name)) {
			best = j
		}
	}
	return best
}

// uniqueFold makes names unique ignoring case (as Excel compares sheet, table and
// header names), renaming a repeat with again(name, n) for n = 2, 3, …
func uniqueFold(names []string, again func(string, int) string) []string {
	taken := map[string]bool{}
	out := make([]string, len(names))
	for i, s := range names {
		name := s
		for n := 2; taken[strings.ToLower(name)]; n++ {
			name = again(s, n)
		}
		taken[strings.ToLower(name)] = true
		out[i] = name
	}
	return out
}

// sheetNames are the table sheets' names: the table's name in words ("Pathway by
// quintile"), at most 31 characters, without the characters Excel refuses in a sheet
// name, unique ignoring case and apart from the Cover, Contents and Notes sheets.
func sheetNames(tables []*Table) []string {
	const maxLen = 31
	clip := func(s string, n int) string {
		if r := []rune(s); len(r) > n {
			s = string(r[:n])
		}
		return strings.TrimSpace(s)
	}
	names := reservedSheets()
	first := len(names)
	for i, t := range tables {
		s := capitalise(strings.TrimSpace(strings.Map(func(r rune) rune {
			if strings.ContainsRune(`[]:*?/\'`, r) || unicode.IsControl(r) {
				return -1
			}
			return r
		}, words(t.Name))))
		if s = clip(s, maxLen); s == "" {
			s = fmt.Sprintf("Table %d", i+1)
		}
		names = append(names, s)
	}
	out := uniqueFold(names, func(s string, n int) string {
		suffix := " " + strconv.Itoa(n)
		return clip(s, maxLen-len(suffix)) + suffix
	})
	return out[first:]
}

var (
	reTableNameChar = regexp.MustCompile(`[^A-Za-z0-9_]`)
	// names Excel would read as a cell reference (A1, XFD1048576, R1C1, R, C)
	reCellLike = regexp.MustCompile(`^([A-Za-z]{1,3}[0-9]+|[RrCc]|[Rr][0-9]*[Cc][0-9]*)$`)
)

// tableNames are the Excel table (ListObject) names: the machine names, which tools such
// as Power Query and openpyxl address tables by, made valid (letters, digits and _, not
// starting with a digit, not a cell reference) and unique in the workbook.
func tableNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		s := reTableNameChar.ReplaceAllString(n, "_")
		if s == "" || reCellLike.MatchString(s) || (s[0] >= '0' && s[0] <= '9') {
			s = "table_" + s
		}
		out[i] = s
	}
	return uniqueFold(out, func(s string, n int) string { return s + "_" + strconv.Itoa(n) })
}
