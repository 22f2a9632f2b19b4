package connectors

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/xuri/excelize/v2"
)

// OpenXLSX streams a worksheet of an XLSX workbook as Arrow record batches of text
// columns plus _line (see LoadArrow). sheet "" is the workbook's first sheet.
//
// The header is the first row within the first 50 that holds every name in want
// (case-insensitive; line breaks and runs of spaces in header cells read as one space),
// so a title block above it is skipped. Each header cell names a column (an empty one
// becomes columnN; a repeat is a file error). _line is the row's number on the sheet, as
// Excel shows it: a record on sheet row 5 has _line 5. Empty rows are skipped; empty
// cells and short rows give NULL; a value right of the header's last column is a file
// error naming the row.
//
// Values are the cells' stored values, not Excel's rendering of them: numbers in plain
// notation (45 not 45.0, 12345 not 12,345, at most 15 significant digits as Excel keeps),
// and numbers whose number format is a date as ISO YYYY-MM-DD (a time of day is
// dropped), so a date never comes out in the US m/d/yy order of Excel's default date
// format. Text cells, including dates typed as text, pass through unchanged.
//
// Release the reader to close the workbook.
func OpenXLSX(path, sheet string, want []string) (array.RecordReader, error) {
	return openXLSX(memory.DefaultAllocator, path, sheet, want)
}

func openXLSX(mem memory.Allocator, path, sheet string, want []string) (array.RecordReader, error) {
	src, err := newXLSXSource(path, sheet)
	if err != nil {
		return nil, err
	}
	header, _, err := findHeader(path, src, want)
	if err != nil {
		return nil, closeAfter(err, src)
	}
	return newTextReader(mem, path, header, src), nil
}

// xlsxSource reads sheet rows with excelize's streaming iterator. That iterator gives
// values but not the cells' styles, and excelize's per-cell style lookup loads the whole
// sheet, so a second streaming pass over the same sheet XML (formats) reads each cell's
// style and type in step with it; f.GetStyle then says whether a style is a date.
type xlsxSource struct {
	path     string
	f        *excelize.File
	rows     *excelize.Rows
	zr       *zip.ReadCloser
	formats  *sheetFormats
	date1904 bool
	isDate   map[int]bool // style id → its number format shows a date
	line     int64
}

func newXLSXSource(path, sheet string) (src *xlsxSource, err error) {
	s := &xlsxSource{path: path, isDate: map[int]bool{}}
	defer func() {
		if err != nil {
			err = closeAfter(err, s)
		}
	}()
	err = s.guard(func() error {
		f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
		if err == nil {
			s.f = f
		}
		return err
	})
	if err != nil {
		return nil, s.fileError(0, "not a readable XLSX workbook", err)
	}
	if s.zr, err = zip.OpenReader(path); err != nil {
		return nil, s.fileError(0, "not a readable XLSX workbook", err)
	}
	name, part, err := sheetPart(&s.zr.Reader, sheet)
	if err != nil {
		return nil, &FileError{Path: path, Reason: err.Error()}
	}
	if s.formats, err = openSheetFormats(&s.zr.Reader, part); err != nil {
		return nil, s.fileError(0, "reading sheet "+strconv.Quote(name), err)
	}
	err = s.guard(func() error {
		props, err := s.f.GetWorkbookProps()
		if err != nil {
			return err
		}
		s.date1904 = props.Date1904 != nil && *props.Date1904
		s.rows, err = s.f.Rows(name)
		return err
	})
	if err != nil {
		return nil, s.fileError(0, "reading sheet "+strconv.Quote(name), err)
	}
	return s, nil
}

// next returns every sheet row in order, empty ones included, so line numbers hold.
func (s *xlsxSource) next() ([]string, int64, error) {
	var cells []string
	err := s.guard(func() error {
		if !s.rows.Next() {
			if err := s.rows.Error(); err != nil {
				return err
			}
			return io.EOF
		}
		s.line++
		var err error
		cells, err = s.rows.Columns(excelize.Options{RawCellValue: true})
		return err
	})
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	if err != nil {
		return nil, 0, s.fileError(s.line, "unreadable row", err)
	}
	formats, err := s.formats.row(int(s.line))
	if err != nil {
		return nil, 0, s.fileError(s.line, "unreadable row", err)
	}
	for i, v := range cells {
		var cf cellFormat
		if i < len(formats) {
			cf = formats[i]
		}
		if cells[i], err = s.cellText(v, cf); err != nil {
			return nil, 0, s.fileError(s.line, "unreadable cell style", err)
		}
	}
	return cells, s.line, nil
}

// cellText turns a raw cell value into the text socrx loads.
func (s *xlsxSource) cellText(v string, cf cellFormat) (string, error) {
	switch cf.typ {
	case "", "n":
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return v, nil
		}
		date, err := s.dateStyle(cf.style)
		if err != nil {
			return "", err
		}
		if d, ok := serialDate(x, s.date1904); ok && date {
			return d, nil
		}
		return plainNumber(x), nil
	case "b":
		switch v {
		case "1":
			return "TRUE", nil
		case "0":
			return "FALSE", nil
		}
	case "d":
		// An ISO 8601 date cell (rare: Strict OOXML); keep the date part.
		if len(v) >= 10 {
			if _, err := time.Parse("2006-01-02", v[:10]); err == nil {
				return v[:10], nil
			}
		}
	}
	return v, nil
}

// dateStyle reports whether style id's number format shows a date. A style id past the
// workbook's style table is General, as excelize itself formats such a cell.
func (s *xlsxSource) dateStyle(id int) (bool, error) {
	if d, ok := s.isDate[id]; ok {
		return d, nil
	}
	d := false
	err := s.guard(func() error {
		st, err := s.f.GetStyle(id)
		if err != nil || st == nil {
			return nil
		}
		if st.CustomNumFmt != nil {
			d = isDateFormat(*st.CustomNumFmt)
		} else {
			d = builtinDateFormat(st.NumFmt)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	s.isDate[id] = d
	return d, nil
}

// guard runs an excelize call, turning a panic into an error: excelize is a large parser
// of untrusted files, and a malformed workbook must be refused, never crash a run.
func (s *xlsxSource) guard(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("malformed workbook: %v", r)
		}
	}()
	return fn()
}

func (s *xlsxSource) fileError(line int64, what string, err error) error {
	return &FileError{Path: s.path, Line: int(line), Reason: fmt.Sprintf("%s: %v", what, err)}
}

func (s *xlsxSource) close() error {
	var errs []error
	if s.rows != nil {
		errs = append(errs, s.rows.Close())
		s.rows = nil
	}
	if s.formats != nil {
		errs = append(errs, s.formats.close())
		s.formats = nil
	}
	if s.zr != nil {
		errs = append(errs, s.zr.Close())
		s.zr = nil
	}
	if s.f != nil {
		errs = append(errs, s.f.Close())
		s.f = nil
	}
	return errors.Join(errs...)
}

// serialDate converts an Excel serial day number to ISO YYYY-MM-DD, dropping any time
// of day. In the 1900 system Excel counts 29 February 1900, which never was (Lotus 1-2-3's
// bug, kept for compatibility): serial 60 is that day, returned as 1900-02-29 so that
// date parsing refuses it, and serials after it are one day ahead of a plain count.
// Serials before day 1 or after 9999-12-31 are not dates.
func serialDate(x float64, date1904 bool) (string, bool) {
	day := math.Floor(x)
	if date1904 {
		if day < 0 || day > 2957003 {
			return "", false
		}
		return time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(day)).Format("2006-01-02"), true
	}
	switch {
	case day < 1 || day > 2958465:
		return "", false
	case day == 60:
		return "1900-02-29", true
	case day < 60:
		return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(day)).Format("2006-01-02"), true
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(day)).Format("2006-01-02"), true
}

// plainNumber prints a number as Excel shows it in General format, without exponent:
// 15 significant digits (binary noise such as 0.30000000000000004 is not data) and no
// trailing ".0".
func plainNumber(x float64) string {
	x, _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', 15, 64), 64)
	if x == 0 {
		return "0"
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// builtinDateFormat reports whether a built-in number format id shows a date: 14–17 and
// 22 in every locale, and the East Asian date ids (their time-only ids are left out).
func builtinDateFormat(id int) bool {
	switch {
	case id >= 14 && id <= 17, id == 22:
		return true
	case id >= 27 && id <= 31, id == 36, id == 50, id == 51, id == 54, id == 57, id == 58:
		return true
	}
	return false
}

// isDateFormat reports whether a custom number format code shows a date: after dropping
// quoted text, escaped characters, fill and padding characters and [bracketed] parts
// (colours, locales, elapsed times), its first section names a year, a day, or a month
// without hours or seconds (m alone is ambiguous with minutes).
func isDateFormat(code string) bool {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++
		case '[':
			if j := strings.IndexByte(code[i+1:], ']'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case ';':
			i = len(code)
		default:
			b.WriteByte(c)
		}
	}
	// What is left may still spell General, an exponent (0.00E+00) or AM/PM.
	f := strings.NewReplacer("general", "", "e+", "", "e-", "", "am/pm", "", "a/p", "").Replace(strings.ToLower(b.String()))
	if strings.ContainsAny(f, "yde") { // e: the East Asian era year
		return true
	}
	return strings.Contains(f, "m") && !strings.ContainsAny(f, "hs")
}

// sheetPart finds the sheet (by name, case-insensitive as Excel; "" for the first) and
// the zip entry holding its XML, following the package relationships as Excel does: part
// names such as xl/worksheets/sheet1.xml are only a convention.
func sheetPart(z *zip.Reader, sheet string) (name, part string, err error) {
	files := make(map[string]*zip.File, len(z.File))
	for _, f := range z.File {
		files[f.Name] = f
	}
	wb := "xl/workbook.xml"
	if rels, err := readRels(files, "_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wb = partPath("", r.Target)
			}
		}
	}
	var w struct {
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(files, wb, &w); err != nil {
		return "", "", fmt.Errorf("not a readable XLSX workbook: %w", err)
	}
	var names []string
	rid := ""
	for _, sh := range w.Sheets {
		names = append(names, sh.Name)
		if rid == "" && (sheet == "" || strings.EqualFold(sh.Name, sheet)) {
			name = sh.Name
			for _, a := range sh.Attrs {
				if a.Name.Local == "id" && a.Name.Space != "" {
					rid = a.Value
				}
			}
		}
	}
	if name == "" {
		if sheet == "" {
			return "", "", errors.New("workbook has no sheets")
		}
		return "", "", fmt.Errorf("workbook has no sheet %q (sheets: %s)", sheet, quoteList(names))
	}
	rels, err := readRels(files, path.Join(path.Dir(wb), "_rels", path.Base(wb)+".rels"))
	if err != nil {
		return "", "", fmt.Errorf("not a readable XLSX workbook: %w", err)
	}
	for _, r := range rels {
		if r.ID == rid && rid != "" {
			return name, partPath(path.Dir(wb), r.Target), nil
		}
	}
	return "", "", fmt.Errorf("not a readable XLSX workbook: sheet %q has no part", name)
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

func readRels(files map[string]*zip.File, name string) ([]relationship, error) {
	var r struct {
		Rels []relationship `xml:"Relationship"`
	}
	err := decodePart(files, name, &r)
	return r.Rels, err
}

func decodePart(files map[string]*zip.File, name string, v any) error {
	f, ok := files[name]
	if !ok {
		return fmt.Errorf("no part %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", name, err)
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		return fmt.Errorf("decoding %s: %w", name, err)
	}
	return nil
}

// partPath resolves a relationship target: absolute from the package root, or relative
// to the directory of the part that holds the relationship.
func partPath(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Join(dir, target)), "/")
}

// cellFormat is what the value alone does not say about a cell: its style (for the
// number format) and its type (n number, s shared string, b boolean, ...).
type cellFormat struct {
	style int
	typ   string
}

// sheetFormats streams a sheet's XML for the style and type of each cell. Rows are asked
// for in increasing order, as the value iterator meets them.
type sheetFormats struct {
	rc   io.ReadCloser
	dec  *xml.Decoder
	cur  int          // number of the row whose cells are in buf (0: none yet)
	buf  []cellFormat // by column, 0-based
	last int          // number of the last <row> read, for rows without an r attribute
	eof  bool
}

func openSheetFormats(z *zip.Reader, part string) (*sheetFormats, error) {
	for _, f := range z.File {
		if f.Name == part {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			return &sheetFormats{rc: rc, dec: xml.NewDecoder(rc)}, nil
		}
	}
	return nil, fmt.Errorf("no part %s", part)
}

// row returns the cell formats of sheet row n, or nil when the sheet XML has no such row.
func (s *sheetFormats) row(n int) ([]cellFormat, error) {
	for !s.eof && s.cur < n {
		if err := s.readRow(); err != nil {
			return nil, err
		}
	}
	if s.cur == n {
		return s.buf, nil
	}
	return nil, nil
}

// readRow reads the next <row> element, numbering rows and cells as excelize does: by
// their r attributes, else one after the previous.
func (s *sheetFormats) readRow() error {
	for {
		tok, err := s.dec.Token()
		if errors.Is(err, io.EOF) {
			s.eof = true
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "row" {
			n := s.last + 1
			if r, err := strconv.Atoi(xmlAttr(se, "r")); err == nil && r > 0 {
				n = r
			}
			s.last, s.cur, s.buf = n, n, s.buf[:0]
			return s.readCells()
		}
	}
}

func (s *sheetFormats) readCells() error {
	col := 0
	for {
		tok, err := s.dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if t.Name.Local == "row" {
				return nil
			}
		case xml.StartElement:
			if t.Name.Local != "c" {
				continue
			}
			col++
			if ref := xmlAttr(t, "r"); ref != "" {
				if c, _, err := excelize.CellNameToCoordinates(ref); err == nil {
					col = c
				}
			}
			style, _ := strconv.Atoi(xmlAttr(t, "s"))
			if col <= excelize.MaxColumns {
				for len(s.buf) < col {
					s.buf = append(s.buf, cellFormat{})
				}
				s.buf[col-1] = cellFormat{style: style, typ: xmlAttr(t, "t")}
			}
			if err := s.dec.Skip(); err != nil {
				return err
			}
		}
	}
}

func (s *sheetFormats) close() error { return s.rc.Close() }

func xmlAttr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}
