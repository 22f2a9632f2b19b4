package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/socrx/socrx/disclosure"
)

// tableCSV writes a table as CSV: a header of column names (counts end in _n), then the
// cells as Machine renders them (`*` suppressed, empty for no value), text made
// formula-safe (formulaSafe). Numbers are written as they are: a negative value is a
// number to a spreadsheet, not a formula, and R and pandas must read it as one.
func tableCSV(t *Table) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = formulaSafe(c.Name)
	}
	if err := w.Write(head); err != nil {
		return nil, fmt.Errorf("writing %s.csv: %w", t.Name, err)
	}
	for _, r := range t.Rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = machine(c)
			if c.Kind == disclosure.KindText {
				rec[i] = formulaSafe(rec[i])
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
