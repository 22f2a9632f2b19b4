package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
)

// tableCSV writes a table as CSV: a header of column names (counts end in _n), then the
// cells as Machine renders them (`*` suppressed, empty for no value).
func tableCSV(t *Table) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Name
	}
	if err := w.Write(head); err != nil {
		return nil, fmt.Errorf("writing %s.csv: %w", t.Name, err)
	}
	for _, r := range t.Rows {
		rec := make([]string, len(r))
		for i, c := range r {
			rec[i] = c.Machine()
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
