package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/socrx/socrx/disclosure"
)

// tableCSV writes a table as CSV for R, pandas and DuckDB: a header of machine names
// (counts end in _n), numbers as plain numbers, empty for no value. A suppressed cell is
// empty too, and the column after each count or value column, <column>_suppressed, says
// true or false, so that a suppressed cell and no value can be told apart while the
// column still reads as numbers. Text is made formula-safe (formulaSafe); numbers are
// written as they are: a negative value is a number to a spreadsheet, not a formula.
func tableCSV(t *Table) ([]byte, error) {
	flagged := csvFlagged(t)
	words := csvBoolWords(t)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	var head []string
	for i, c := range t.Columns {
		head = append(head, formulaSafe(c.Name))
		if flagged[i] {
			head = append(head, formulaSafe(c.Name+"_suppressed"))
		}
	}
	if err := w.Write(head); err != nil {
		return nil, fmt.Errorf("writing %s.csv: %w", t.Name, err)
	}
	for _, r := range t.Rows {
		rec := make([]string, 0, len(head))
		for i, c := range r {
			rec = append(rec, csvValue(c, words[i]))
			if i < len(flagged) && flagged[i] {
				rec = append(rec, strconv.FormatBool(c != nil && c.Suppressed))
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, fmt.Errorf("writing %s.csv: %w", t.Name, err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("writing %s.csv: %w", t.Name, err)
	}
	return buf.Bytes(), nil
}

// csvFlagged says which columns get a _suppressed flag: every count and value column,
// and any other column that does hold a suppressed cell (so that none is ever published
// as an unexplained blank).
func csvFlagged(t *Table) []bool {
	out := make([]bool, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = suppressible(c)
	}
	for _, r := range t.Rows {
		for i, c := range r {
			if i < len(out) && c != nil && c.Suppressed {
				out[i] = true
			}
		}
	}
	return out
}

// csvBoolWords says which columns write their yes/no flags as true and false: those
// whose published cells are all flags. A flag in a column of numbers (the signals'
// value) is written 1 or 0, so that the column still reads as numbers.
func csvBoolWords(t *Table) []bool {
	out := make([]bool, len(t.Columns))
	mixed := make([]bool, len(t.Columns))
	for _, r := range t.Rows {
		for i, c := range r {
			if i >= len(out) || !c.Published() || c.Kind == disclosure.KindText {
				continue
			}
			if c.Kind == disclosure.KindValue && c.Format == disclosure.FmtBool {
				out[i] = true
			} else {
				mixed[i] = true
			}
		}
	}
	for i := range out {
		out[i] = out[i] && !mixed[i]
	}
	return out
}

// csvValue is a cell as the CSV holds it: empty when suppressed or without a value.
func csvValue(c *disclosure.Cell, boolWords bool) string {
	switch {
	case c == nil || c.Suppressed:
		return ""
	case c.Kind == disclosure.KindText:
		return formulaSafe(c.Text)
	case c.Null:
		return ""
	case c.Kind == disclosure.KindValue && c.Format == disclosure.FmtBool && !boolWords:
		if c.V != 0 {
			return "1"
		}
		return "0"
	}
	return machine(c)
}

// formulaSafe neutralises a text cell that a spreadsheet would run as a formula when the
// CSV is opened (OWASP, CSV injection): one that begins with =, +, -, @, a tab or a
// carriage return gets a leading apostrophe, which spreadsheets show as text. Ids,
// file names, reasons and readings all come from data, so every text cell passes here.
func formulaSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
