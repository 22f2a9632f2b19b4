package reports

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/socrx/socrx/disclosure"
	"github.com/xuri/excelize/v2"
)

// workbook writes every table of a period as one sheet: typed cells (numbers as numbers,
// `*` as text for suppressed), a frozen header row, and fixed document properties so
// that the same report gives the same bytes.
func workbook(r *Report) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	stamp := r.Prov.RunTime.UTC().Format(time.RFC3339)
	if err := f.SetDocProps(&excelize.DocProperties{
		Title: "socrx evaluation tables " + r.Period, Creator: "socrx", LastModifiedBy: "socrx",
		Created: stamp, Modified: stamp, Description: fmt.Sprintf("Disclosure control: counts 1-%d suppressed (*), others rounded to the nearest %d. Data end %s.", r.Policy.Threshold, r.Policy.Rounding, r.Prov.DataEnd.Format(time.DateOnly)),
		Revision: "1",
	}); err != nil {
		return nil, fmt.Errorf("setting workbook properties: %w", err)
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, fmt.Errorf("styling workbook: %w", err)
	}
	for i, t := range r.Tables {
		name := t.Name
		if len(name) > 31 {
			name = name[:31]
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, fmt.Errorf("naming sheet %s: %w", name, err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, fmt.Errorf("adding sheet %s: %w", name, err)
		}
		if err := writeSheet(f, name, t, head); err != nil {
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

func writeSheet(f *excelize.File, sheet string, t *Table, head int) error {
	header := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		header[i] = c.Name
	}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return fmt.Errorf("writing sheet %s: %w", sheet, err)
	}
	last, _ := excelize.CoordinatesToCellName(len(t.Columns), 1)
	if err := f.SetCellStyle(sheet, "A1", last, head); err != nil {
		return fmt.Errorf("styling sheet %s: %w", sheet, err)
	}
	for i, r := range t.Rows {
		vals := make([]any, len(r))
		for j, c := range r {
			vals[j] = xlsxValue(c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return fmt.Errorf("writing sheet %s: %w", sheet, err)
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("freezing header of %s: %w", sheet, err)
	}
	return nil
}

// xlsxValue is a cell as a typed spreadsheet value.
func xlsxValue(c *disclosure.Cell) any {
	switch {
	case c.Kind == disclosure.KindText:
		return c.Text
	case c.Suppressed:
		return "*"
	case c.Null:
		return nil
	case c.Kind == disclosure.KindCount || c.Kind == disclosure.KindPlain:
		return c.N
	case c.Format == disclosure.FmtBool:
		return c.V != 0
	}
	return roundSig(c.V)
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
