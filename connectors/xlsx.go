package connectors

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// XLSXOptions tune OpenXLSX.
type XLSXOptions struct {
	// TempDir receives a workbook's shared-string table when it is too large to hold in
	// memory ("" = the OS temp directory); it is created if missing. The file is removed
	// at once and read through its open handle, so that on Unix not even a killed run
	// leaves it behind; where the OS refuses that (Windows), when the reader is released
	// or fails.
	TempDir string
}

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
// Reading is bounded whatever the file (see xlsxLimits): a cell over Excel's 32,767
// characters, a row past its 1,048,576 or a column past its 16,384, rows or cells out of
// order, and parts that inflate past their limits or their zip entry's stated size are
// file errors naming the file, the row and cell where there is one, and the reason, never
// a value. The sheet is read in one streaming pass: memory holds a row, a batch and the
// shared-string table's offsets, never the sheet.
//
// Release the reader to close the workbook.
func OpenXLSX(path, sheet string, want []string, opt XLSXOptions) (array.RecordReader, error) {
	return openXLSX(memory.DefaultAllocator, path, sheet, want, opt, defaultXLSXLimits())
}

func openXLSX(mem memory.Allocator, path, sheet string, want []string, opt XLSXOptions, lim xlsxLimits) (array.RecordReader, error) {
	src, err := newXLSXSource(path, sheet, opt, lim)
	if err != nil {
		return nil, err
	}
	header, _, err := findHeader(path, src, want)
	if err != nil {
		return nil, closeAfter(err, src)
	}
	return newTextReader(mem, path, header, src), nil
}

// xlsxSource streams a sheet's rows from its XML, with the workbook's shared strings and
// the date-ness of its cell styles read first.
type xlsxSource struct {
	path     string
	lim      xlsxLimits
	zip      *xlsxZip
	sst      *sharedStrings
	dateXf   []bool // by style id: its number format shows a date
	date1904 bool
	part     string // the sheet's part
	rc       io.ReadCloser
	dec      *xml.Decoder
	inData   bool  // inside <sheetData>
	last     int64 // number of the last row read (0: none yet)
	err      error // the first error; every later call returns it
}

func newXLSXSource(path, sheet string, opt XLSXOptions, lim xlsxLimits) (src *xlsxSource, err error) {
	s := &xlsxSource{path: path, lim: lim}
	defer func() {
		if err != nil {
			err = closeAfter(err, s)
		}
	}()
	if s.zip, err = openXLSXZip(path, lim); err != nil {
		return nil, s.fileError(0, "not a readable XLSX workbook: "+err.Error())
	}
	wb, err := readWorkbook(s.zip, sheet)
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			fe.Path = path
			return nil, fe
		}
		return nil, s.fileError(0, "not a readable XLSX workbook: "+err.Error())
	}
	s.date1904, s.part = wb.date1904, wb.sheetPart
	if wb.stylesPart != "" {
		if s.dateXf, err = readStyles(s.zip, wb.stylesPart); err != nil {
			return nil, s.fileError(0, "not a readable XLSX workbook: "+partFailure(wb.stylesPart, err))
		}
	}
	if wb.sstPart != "" {
		if s.sst, err = readSharedStrings(s.zip, wb.sstPart, opt.TempDir); err != nil {
			return nil, s.fileError(0, partFailure(wb.sstPart, err))
		}
	}
	if s.rc, err = s.zip.open(s.part, lim.sheetBytes); err != nil {
		return nil, s.fileError(0, fmt.Sprintf("reading sheet %q: %s", wb.sheetName, partFailure(s.part, err)))
	}
	s.dec = newPartDecoder(s.rc, s.part, lim)
	return s, nil
}

func (s *xlsxSource) fileError(line int64, reason string) error {
	return &FileError{Path: s.path, Line: int(line), Reason: reason}
}

// next returns the sheet's rows in order with their numbers. A row the XML leaves out is
// not returned: its number is simply skipped.
func (s *xlsxSource) next() ([]string, int64, error) {
	if s.err != nil {
		return nil, 0, s.err
	}
	cells, line, err := s.nextRow()
	if err != nil {
		s.err = err
		if !errors.Is(err, io.EOF) {
			var fe *FileError
			if !errors.As(err, &fe) {
				s.err = s.fileError(s.last, partFailure(s.part, err))
			}
		}
		return nil, 0, s.err
	}
	return cells, line, nil
}

func (s *xlsxSource) nextRow() ([]string, int64, error) {
	for {
		tok, err := s.dec.Token()
		if err != nil {
			return nil, 0, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case !s.inData:
				s.inData = t.Name.Local == "sheetData"
			case t.Name.Local == "row":
				return s.readRow(t)
			default:
				if err := s.dec.Skip(); err != nil {
					return nil, 0, err
				}
			}
		case xml.EndElement:
			if s.inData && t.Name.Local == "sheetData" {
				// What follows the rows (merged cells, print settings) is not read.
				return nil, 0, io.EOF
			}
		}
	}
}

// readRow reads the row whose start tag is se, numbering it and its cells as excelize
// does: by their r attributes, else one after the previous.
func (s *xlsxSource) readRow(se xml.StartElement) ([]string, int64, error) {
	n := s.last + 1
	if r, err := strconv.ParseInt(xmlAttr(se, "r"), 10, 64); err == nil && r > 0 {
		n = r
	}
	switch {
	case n > maxSheetRows:
		return nil, 0, s.fileError(n, fmt.Sprintf("row is beyond row %d, Excel's last", maxSheetRows))
	case n <= s.last:
		// Excel writes rows in order; out of order, two rows could share a line number.
		return nil, 0, s.fileError(n, fmt.Sprintf("row comes after row %d (rows out of order)", s.last))
	}
	s.last = n
	var cells []string
	col, size := 0, 0
	for {
		tok, err := s.dec.Token()
		if err != nil {
			return nil, 0, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return cells, n, nil
		case xml.StartElement:
			if t.Name.Local != "c" {
				if err := s.dec.Skip(); err != nil {
					return nil, 0, err
				}
				continue
			}
			prev := col
			if col, err = s.cellColumn(t, n, col); err != nil {
				return nil, 0, err
			}
			if col <= prev {
				return nil, 0, s.fileError(n, fmt.Sprintf("cell %s comes after column %s (cells out of order)",
					cellName(col, n), columnName(prev)))
			}
			v, cf, written, err := s.readCell(t, cellName(col, n))
			if err != nil {
				return nil, 0, err
			}
			if !written {
				// A styled empty cell: no value, as excelize leaves it out.
				continue
			}
			if size += len(v); size > s.lim.rowBytes {
				return nil, 0, s.fileError(n, fmt.Sprintf("row holds more than %d bytes of text", s.lim.rowBytes))
			}
			for len(cells) < col-1 {
				cells = append(cells, "")
			}
			cells = append(cells, s.cellText(v, cf))
		}
	}
}

// cellColumn is the column of the cell whose start tag is se: from its reference, else
// the one after prev.
func (s *xlsxSource) cellColumn(se xml.StartElement, row int64, prev int) (int, error) {
	ref := xmlAttr(se, "r")
	if ref == "" {
		if prev >= maxSheetCols {
			return 0, s.fileError(row, fmt.Sprintf("row has a cell beyond column %s, Excel's last", columnName(maxSheetCols)))
		}
		return prev + 1, nil
	}
	col, ok := refColumn(ref)
	switch {
	case !ok:
		return 0, s.fileError(row, fmt.Sprintf("the cell after column %s has a reference that is not a cell name", columnName(prev)))
	case col > maxSheetCols:
		return 0, s.fileError(row, fmt.Sprintf("row has a cell beyond column %s, Excel's last", columnName(maxSheetCols)))
	}
	return col, nil
}

// readCell reads the cell whose start tag is se: its raw value as excelize gives it with
// RawCellValue, its format, and whether it is written (has a value or a formula).
func (s *xlsxSource) readCell(se xml.StartElement, name string) (string, cellFormat, bool, error) {
	cf := cellFormat{typ: xmlAttr(se, "t")}
	cf.style, _ = strconv.Atoi(xmlAttr(se, "s"))
	var v, inline string
	hasInline, formula := false, false
	for {
		tok, err := s.dec.Token()
		if err != nil {
			return "", cf, false, err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			switch cf.typ {
			case "s":
				if v, err = s.sharedString(v, name); err != nil {
					return "", cf, false, err
				}
			case "inlineStr":
				if hasInline {
					v = inline
				}
			}
			return v, cf, v != "" || formula, nil
		case xml.StartElement:
			switch t.Name.Local {
			case "v":
				// A value is a number, a shared-string index or a formula's text result,
				// which Excel bounds as it does a cell.
				if v, err = readText(s.dec, 4*maxCellChars); err == nil && utf8.RuneCountInString(v) > maxCellChars {
					err = errCellTooLong
				}
			case "is":
				hasInline = true
				inline, err = readRichText(s.dec)
			case "f":
				formula = true
				err = s.dec.Skip()
			default:
				err = s.dec.Skip()
			}
			if errors.Is(err, errCellTooLong) {
				return "", cf, false, s.fileError(s.last, fmt.Sprintf("cell %s holds more than %d characters (Excel's limit for a cell)", name, maxCellChars))
			}
			if err != nil {
				return "", cf, false, err
			}
		}
	}
}

// sharedString is the shared string a cell's value indexes. An empty value is an empty
// cell; an index that is not a number or past the table is a file error, where excelize
// would read a non-number as string 0.
func (s *xlsxSource) sharedString(v, name string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		return "", s.fileError(s.last, fmt.Sprintf("cell %s has a shared-string index that is not a number", name))
	}
	if s.sst == nil || i < 0 || i >= s.sst.len() {
		return "", s.fileError(s.last, fmt.Sprintf("cell %s refers to shared string %d, past the workbook's %d", name, i, s.sst.len()))
	}
	str, err := s.sst.get(i)
	if err != nil {
		return "", s.fileError(s.last, fmt.Sprintf("reading shared string %d: %v", i, err))
	}
	return str, nil
}

// cellText turns a raw cell value into the text socrx loads.
func (s *xlsxSource) cellText(v string, cf cellFormat) string {
	switch cf.typ {
	case "", "n":
		x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return v
		}
		date := cf.style >= 0 && cf.style < len(s.dateXf) && s.dateXf[cf.style]
		if d, ok := serialDate(x, s.date1904); ok && date {
			return d
		}
		return plainNumber(x)
	case "b":
		switch v {
		case "1":
			return "TRUE"
		case "0":
			return "FALSE"
		}
	case "d":
		// An ISO 8601 date cell (rare: Strict OOXML); keep the date part.
		if len(v) >= 10 {
			if _, err := time.Parse("2006-01-02", v[:10]); err == nil {
				return v[:10]
			}
		}
	}
	return v
}

func (s *xlsxSource) close() error {
	var errs []error
	if s.rc != nil {
		errs = append(errs, s.rc.Close())
		s.rc = nil
	}
	if s.sst != nil {
		errs = append(errs, s.sst.close())
		s.sst = nil
	}
	if s.zip != nil {
		errs = append(errs, s.zip.close())
		s.zip = nil
	}
	return errors.Join(errs...)
}

// cellFormat is what the value alone does not say about a cell: its style (for the
// number format) and its type (n number, s shared string, b boolean, ...).
type cellFormat struct {
	style int
	typ   string
}

// errCellTooLong is a cell's text past maxCellChars, named with its cell by the caller.
var errCellTooLong = errors.New("cell too long")

// readText reads the text directly inside the element just opened, through its end,
// failing with errCellTooLong past max bytes. Nested elements are skipped.
func readText(dec *xml.Decoder, max int) (string, error) {
	var b []byte
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(b)+len(t) > max {
				return "", errCellTooLong
			}
			b = append(b, t...)
		case xml.StartElement:
			if err := dec.Skip(); err != nil {
				return "", err
			}
		case xml.EndElement:
			return string(b), nil
		}
	}
}

// readRichText reads a shared or inline string (<si>, <is>, just opened) as excelize
// does: its own <t> text, then its runs' (<r><t>), phonetic runs (<rPh>) left out, and
// _xHHHH_ escapes decoded. More than maxCellChars characters is errCellTooLong.
func readRichText(dec *xml.Decoder) (string, error) {
	// An escape is 7 bytes for a character: more than this many bytes cannot decode
	// within the limit.
	const maxRaw = 7 * maxCellChars
	var own, runs []byte
	var stack []string // elements open inside the string
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
		case xml.EndElement:
			if len(stack) == 0 {
				s := bstrDecode(string(own) + string(runs))
				if utf8.RuneCountInString(s) > maxCellChars {
					return "", errCellTooLong
				}
				return s, nil
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			switch {
			case len(stack) == 1 && stack[0] == "t":
				own = append(own, t...)
			case len(stack) == 2 && stack[0] == "r" && stack[1] == "t":
				runs = append(runs, t...)
			default:
				continue
			}
			if len(own)+len(runs) > maxRaw {
				return "", errCellTooLong
			}
		}
	}
}

// bstrDecode decodes the _xHHHH_ escapes OOXML uses for characters XML cannot hold, as
// excelize does: _x005F_ is the underscore that escapes an escape, and a lone surrogate
// decodes to nothing.
func bstrDecode(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var b strings.Builder
	for {
		j := strings.Index(s, "_x")
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		if j+7 <= len(s) && s[j+6] == '_' {
			if u, err := strconv.ParseUint(s[j+2:j+6], 16, 16); err == nil {
				b.WriteString(s[:j])
				if r := rune(u); r < 0xd800 || r > 0xdfff {
					b.WriteRune(r)
				}
				s = s[j+7:]
				continue
			}
		}
		b.WriteString(s[:j+2])
		s = s[j+2:]
	}
}

// refColumn is the column number of a cell reference such as B4 (A is 1). ok is false
// when ref is not a cell name; a column past three letters reads as past maxSheetCols.
func refColumn(ref string) (col int, ok bool) {
	i := 0
	for ; i < len(ref); i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		if i < 4 {
			col = col*26 + int(c-'a'+1)
		}
	}
	if i == 0 || i == len(ref) {
		return 0, false
	}
	row, err := strconv.Atoi(ref[i:])
	if err != nil || row < 1 || row > maxSheetRows || ref[i] < '1' || ref[i] > '9' {
		return 0, false
	}
	if i > 3 {
		return maxSheetCols + 1, true
	}
	return col, true
}

// columnName is a column's letters: 1 is A, 28 is AB.
func columnName(col int) string {
	var b []byte
	for ; col > 0; col = (col - 1) / 26 {
		b = append([]byte{byte('A' + (col-1)%26)}, b...)
	}
	return string(b)
}

func cellName(col int, row int64) string { return columnName(col) + strconv.FormatInt(row, 10) }

// workbookInfo is what the workbook part and its relationships say of the sheet read.
type workbookInfo struct {
	sheetName, sheetPart string
	date1904             bool
	sstPart, stylesPart  string // "" when the workbook has none
}

// readWorkbook finds the sheet (by name, case-insensitive as Excel; "" for the first),
// the zip entry holding its XML, and the shared-string and styles parts, following the
// package relationships as Excel does: part names such as xl/worksheets/sheet1.xml are
// only a convention. Without a relationship, the shared strings and styles are looked
// for where excelize looks.
func readWorkbook(x *xlsxZip, sheet string) (workbookInfo, error) {
	var info workbookInfo
	wb := "xl/workbook.xml"
	if rels, err := readRels(x, "_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.Type, "/officeDocument") {
				wb = partPath("", r.Target)
			}
		}
	}
	var w struct {
		Pr struct {
			Date1904 string `xml:"date1904,attr"`
		} `xml:"workbookPr"`
		Sheets []struct {
			Name  string     `xml:"name,attr"`
			Attrs []xml.Attr `xml:",any,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := decodePart(x, wb, &w); err != nil {
		return info, err
	}
	info.date1904, _ = strconv.ParseBool(strings.TrimSpace(w.Pr.Date1904))
	var names []string
	rid := ""
	for _, sh := range w.Sheets {
		names = append(names, sh.Name)
		if info.sheetName == "" && (sheet == "" || strings.EqualFold(sh.Name, sheet)) {
			info.sheetName = sh.Name
			for _, a := range sh.Attrs {
				if a.Name.Local == "id" && a.Name.Space != "" {
					rid = a.Value
				}
			}
		}
	}
	if info.sheetName == "" {
		if sheet == "" {
			return info, &FileError{Reason: "workbook has no sheets"}
		}
		return info, &FileError{Reason: fmt.Sprintf("workbook has no sheet %q (sheets: %s)", sheet, quoteList(names))}
	}
	rels, err := readRels(x, path.Join(path.Dir(wb), "_rels", path.Base(wb)+".rels"))
	if err != nil {
		return info, err
	}
	for _, r := range rels {
		target := partPath(path.Dir(wb), r.Target)
		switch {
		case r.ID == rid && rid != "":
			info.sheetPart = target
		case strings.HasSuffix(r.Type, "/sharedStrings"):
			info.sstPart = target
		case strings.HasSuffix(r.Type, "/styles"):
			info.stylesPart = target
		}
	}
	if info.sheetPart == "" {
		return info, fmt.Errorf("sheet %q has no part", info.sheetName)
	}
	for _, p := range []struct {
		part *string
		name string
	}{{&info.sstPart, "xl/sharedStrings.xml"}, {&info.stylesPart, "xl/styles.xml"}} {
		if _, ok := x.part(*p.part); !ok {
			*p.part = ""
			if _, ok := x.part(p.name); ok {
				*p.part = p.name
			}
		}
	}
	return info, nil
}

type relationship struct {
	ID     string `xml:"Id,attr"`
	Type   string `xml:"Type,attr"`
	Target string `xml:"Target,attr"`
}

func readRels(x *xlsxZip, name string) ([]relationship, error) {
	var r struct {
		Rels []relationship `xml:"Relationship"`
	}
	err := decodePart(x, name, &r)
	return r.Rels, err
}

// decodePart decodes a small part (workbook, relationships) whole, within partBytes.
func decodePart(x *xlsxZip, name string, v any) error {
	rc, err := x.open(name, x.lim.partBytes)
	if err != nil {
		return errors.New(partFailure(name, err))
	}
	defer rc.Close()
	if err := newPartDecoder(rc, name, x.lim).Decode(v); err != nil {
		return errors.New(partFailure(name, err))
	}
	return nil
}

// readStyles says, for each cell style id (an entry of cellXfs), whether its number
// format shows a date, as excelize's GetStyle would: a built-in format id by its id, any
// other by its custom format code; a style past the table is General.
func readStyles(x *xlsxZip, part string) ([]bool, error) {
	rc, err := x.open(part, x.lim.partBytes)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := newPartDecoder(rc, part, x.lim)
	var xfs []int // numFmtId of each cellXfs entry (-1: none)
	custom := map[int]string{}
	var stack []string
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			parent := ""
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			stack = append(stack, t.Name.Local)
			id, err := strconv.Atoi(strings.TrimSpace(xmlAttr(t, "numFmtId")))
			if err != nil {
				id = -1
			}
			switch {
			case parent == "cellXfs" && t.Name.Local == "xf":
				xfs = append(xfs, id)
			case parent == "numFmts" && t.Name.Local == "numFmt" && id >= 0:
				custom[id] = xmlAttr(t, "formatCode")
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	dates := make([]bool, len(xfs))
	for i, id := range xfs {
		switch {
		case id < 0:
		case builtinNumFmt(id):
			dates[i] = builtinDateFormat(id)
		default:
			code, ok := custom[id]
			dates[i] = ok && isDateFormat(code)
		}
	}
	return dates, nil
}

// builtinNumFmt reports whether excelize takes a number format id as built in (ignoring
// any custom format of the same id): 0–4, 9–22 and 37–49, and the locale ids.
func builtinNumFmt(id int) bool {
	return id >= 0 && id <= 4 || id >= 9 && id <= 22 || id >= 27 && id <= 62 || id >= 67 && id <= 81
}

// sharedStrings is a workbook's shared-string table: the strings' text end to end, in
// memory or in a temp file, and where each ends.
type sharedStrings struct {
	ends []uint32 // string i is text[ends[i-1]:ends[i]] (text under 4 GiB: sstBytes bounds it)
	mem  []byte   // the text, when held in memory
	file *os.File // the text, when spilled
	w    *bufio.Writer
	size int64
	// remove is the temp file's path when it could not be removed at once (Windows).
	remove string
}

// readSharedStrings reads the table, spilling its text to a file in tempDir when its XML
// is larger than sstInMemory. A string over maxCellChars, or more strings than
// sharedStrings, refuse the workbook.
func readSharedStrings(x *xlsxZip, part, tempDir string) (sst *sharedStrings, err error) {
	e, _ := x.part(part)
	rc, err := x.open(part, x.lim.sstBytes)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	s := &sharedStrings{}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.close())
		}
	}()
	if e.UncompressedSize64 > uint64(x.lim.sstInMemory) {
		if err := s.spill(tempDir); err != nil {
			return nil, err
		}
	}
	dec := newPartDecoder(rc, part, x.lim)
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth != 1 || t.Name.Local != "si" {
				depth++
				continue
			}
			if len(s.ends) >= x.lim.sharedStrings {
				return nil, partErrorf("part %s holds more than %d shared strings", part, x.lim.sharedStrings)
			}
			str, err := readRichText(dec)
			if errors.Is(err, errCellTooLong) {
				return nil, partErrorf("shared string %d holds more than %d characters (Excel's limit for a cell)", len(s.ends), maxCellChars)
			}
			if err != nil {
				return nil, err
			}
			if err := s.add(str); err != nil {
				return nil, err
			}
		case xml.EndElement:
			depth--
		}
	}
	if s.w != nil {
		if err := s.w.Flush(); err != nil {
			return nil, fmt.Errorf("writing shared strings to the temp directory: %w", err)
		}
	}
	return s, nil
}

// spill makes the table keep its text in a new file in dir, removed at once where the OS
// allows an open file to be (it is read through its handle), else at close.
func (s *sharedStrings) spill(dir string) error {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating the temp directory: %w", err)
		}
	}
	f, err := os.CreateTemp(dir, "socrx-sst-*")
	if err != nil {
		return fmt.Errorf("spilling shared strings to the temp directory: %w", err)
	}
	if os.Remove(f.Name()) != nil {
		s.remove = f.Name()
	}
	s.file, s.w = f, bufio.NewWriterSize(f, 1<<20)
	return nil
}

func (s *sharedStrings) add(str string) error {
	s.size += int64(len(str))
	if s.size > math.MaxUint32 {
		return partErrorf("shared strings hold more than 4 GiB of text")
	}
	if s.w != nil {
		if _, err := s.w.WriteString(str); err != nil {
			return fmt.Errorf("writing shared strings to the temp directory: %w", err)
		}
	} else {
		s.mem = append(s.mem, str...)
	}
	s.ends = append(s.ends, uint32(s.size))
	return nil
}

func (s *sharedStrings) len() int {
	if s == nil {
		return 0
	}
	return len(s.ends)
}

func (s *sharedStrings) get(i int) (string, error) {
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	end := s.ends[i]
	if s.file == nil {
		return string(s.mem[start:end]), nil
	}
	buf := make([]byte, end-start)
	if _, err := s.file.ReadAt(buf, int64(start)); err != nil {
		return "", err
	}
	return string(buf), nil
}

func (s *sharedStrings) close() error {
	if s.file == nil {
		return nil
	}
	err := s.file.Close()
	if s.remove != "" {
		err = errors.Join(err, os.Remove(s.remove))
	}
	s.file, s.w, s.remove = nil, nil, ""
	return err
}

// partPath resolves a relationship target: absolute from the package root, or relative
// to the directory of the part that holds the relationship.
func partPath(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Join(dir, target)), "/")
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

func xmlAttr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}
