package connectors

// Hostile inputs: workbooks and exports built to cost a reader memory or time (zip
// bombs, lying zip entries, endless lines), refused with one line naming the file and
// the reason, within a fixed memory margin. The bombs are built in t.TempDir() by
// streaming a repeated run through deflate, so a 1 GiB part costs the test no more
// memory than a chunk of it.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/unicode"
)

// seg is a run of a workbook part's body: s written n times.
type seg struct {
	s string
	n int
}

func segs(parts ...any) []seg {
	var out []seg
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			out = append(out, seg{v, 1})
		case seg:
			out = append(out, v)
		}
	}
	return out
}

// writeSegs writes body to w in chunks of at most 1 MiB, so a 1 GiB body costs no more memory than that.
func writeSegs(w io.Writer, body []seg) error {
	for _, sg := range body {
		if sg.n <= 0 || sg.s == "" {
			continue
		}
		per := max(1, min(sg.n, (1<<20)/len(sg.s)))
		chunk := []byte(strings.Repeat(sg.s, per))
		for left := sg.n; left > 0; left -= per {
			b := chunk
			if left < per {
				b = chunk[:left*len(sg.s)]
			}
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// zipPart is one entry of a hand-built zip.
type zipPart struct {
	name     string
	body     []seg
	declared uint64 // >0: the uncompressed size the zip's directory claims, whatever the body
}

// buildZip writes parts as a zip at path, deflating at level (a 1 GiB run of one character
// compresses to 1.3 MB in under a second at flate.BestSpeed; to 1 MB in 3 s at
// flate.BestCompression).
func buildZip(t testing.TB, path string, level int, parts []zipPart) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, level) })
	for _, p := range parts {
		if p.declared == 0 {
			method := zip.Deflate
			if p.body == nil {
				method = zip.Store // a deflater for each of thousands of empty parts is slow
			}
			w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if err := writeSegs(w, p.body); err != nil {
				t.Fatal(err)
			}
			continue
		}
		// A lying directory entry: the real deflated body under a false uncompressed size.
		var comp bytes.Buffer
		fw, _ := flate.NewWriter(&comp, level)
		crc := crc32.NewIEEE()
		if err := writeSegs(io.MultiWriter(fw, crc), p.body); err != nil {
			t.Fatal(err)
		}
		fw.Close()
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: crc.Sum32(),
			CompressedSize64: uint64(comp.Len()), UncompressedSize64: p.declared})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(comp.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`

// handWorkbook is a minimal workbook of one sheet, "Data", whose sheetData holds rows (and
// whose shared-string table is sst, when given), as Excel lays its parts out.
func handWorkbook(rows, sst []seg) []zipPart {
	rels := `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>`
	types := `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`
	if sst != nil {
		rels += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`
		types += `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>`
	}
	parts := []zipPart{
		{name: "[Content_Types].xml", body: segs(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` + types + `</Types>`)},
		{name: "_rels/.rels", body: segs(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{name: "xl/workbook.xml", body: segs(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ` + ns + `><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{name: "xl/_rels/workbook.xml.rels", body: segs(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels + `</Relationships>`)},
		{name: "xl/worksheets/sheet1.xml", body: append(segs(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet `+ns+`><sheetData>`), append(rows, seg{`</sheetData></worksheet>`, 1})...)},
	}
	if sst != nil {
		parts = append(parts, zipPart{name: "xl/sharedStrings.xml", body: append(segs(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst `+ns+`>`), append(sst, seg{`</sst>`, 1})...)})
	}
	return parts
}

// headerRow is row 1 of a hand-built sheet: the header referral_id.
const headerRow = `<row r="1"><c r="A1" t="inlineStr"><is><t>referral_id</t></is></c></row>`

// peakHeap runs fn and returns the most heap it held above what was live before, sampled
// every few milliseconds in another goroutine.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		var peak uint64
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapAlloc)
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	fn()
	close(stop)
	if peak := <-done; peak > base {
		return peak - base
	}
	return 0
}

// planted marks the values of hostile files: no error may quote it.
const planted = "PLANTED-9434765919"

// readXLSXThrough opens path and reads every row, returning the first error.
func readXLSXThrough(path string, opt XLSXOptions, lim xlsxLimits) ([][]string, error) {
	rr, err := openXLSX(memory.DefaultAllocator, path, "", []string{"referral_id"}, opt, lim)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var rows [][]string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := range int(rec.NumRows()) {
			var row []string
			for c := range int(rec.NumCols()) {
				row = append(row, rec.Column(c).ValueStr(i))
			}
			rows = append(rows, row)
		}
	}
	return rows, rr.Err()
}

// refusedWith checks that err is a one-line *FileError naming path and line, whose
// reason holds want (a * in want stands for any text) and quotes no planted value.
func refusedWith(t testing.TB, err error, path string, line int, want string) {
	t.Helper()
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a *FileError", err)
	}
	msg := err.Error()
	if fe.Path != path || fe.Line != line || !containsInOrder(fe.Reason, strings.Split(want, "*")) {
		t.Errorf("got %q (line %d), want %s, line %d, a reason holding %q", msg, fe.Line, path, line, want)
	}
	if strings.ContainsAny(msg, "\r\n") || strings.Contains(msg, "PLANTED") || strings.Contains(msg, "9434765919") {
		t.Errorf("message %q is not one line free of the file's values", msg)
	}
}

func containsInOrder(s string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return true
}

// emptyDir fails the test unless dir holds nothing (or does not exist).
func emptyDir(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s left behind in the temp directory", e.Name())
	}
}

// heapMargin is the most heap a refused bomb may take: the defaults' whole margin is
// about 250 MiB, and a bomb refused on its first megabyte needs far less.
const heapMargin = 64 << 20

func TestXLSXBombRefusedWithBoundedMemory(t *testing.T) {
	const gib = 1 << 30
	run := seg{"PLANTED ", gib / 8} // 1 GiB of one repeated value
	sstBomb := func() []zipPart {
		return handWorkbook(segs(headerRow, `<row r="2"><c r="A2" t="s"><v>0</v></c></row>`), segs(`<si><t>`, run, `</t></si>`))
	}
	inlineBomb := func() []zipPart {
		return handWorkbook(segs(headerRow, `<row r="2"><c r="A2" t="inlineStr"><is><t>`, run, `</t></is></c></row>`), nil)
	}
	emptyRows := func() []zipPart { return handWorkbook(segs(headerRow, seg{`<row/>`, 100_000_000}), nil) }
	lying := func(bomb func() []zipPart, part string, declared uint64) func() []zipPart {
		return func() []zipPart {
			parts := bomb()
			for i := range parts {
				if parts[i].name == part {
					parts[i].declared = declared
				}
			}
			return parts
		}
	}
	hugeTag := func() []zipPart {
		return handWorkbook(segs(headerRow, `<row r="2"><c r="A2" s="`, seg{"9", 256 << 20}, `"/></row>`), nil)
	}
	// Text cut into short runs by comments: no token is long, the cell is.
	splitCell := func() []zipPart {
		return handWorkbook(segs(headerRow, `<row r="2"><c r="B2" t="inlineStr"><is><t>`, seg{"PLANTED <!---->", 8 << 20}, `</t></is></c></row>`), nil)
	}
	deep := func() []zipPart {
		return handWorkbook(segs(headerRow, `<row r="2"><c r="A2"><v>`, seg{"<a>", 10 << 20}), nil)
	}
	manyParts := func() []zipPart {
		parts := handWorkbook(segs(headerRow), nil)
		for i := range 3000 {
			parts = append(parts, zipPart{name: fmt.Sprintf("x/%04d", i)})
		}
		return parts
	}
	manyStrings := func() []zipPart {
		return handWorkbook(segs(headerRow), segs(seg{"<si><t>PLANTED</t></si>", 1001}))
	}
	wideRow := func() []zipPart {
		cell := `<c t="inlineStr"><is><t>` + strings.Repeat("PLANTED ", 3000) + `</t></is></c>`
		return handWorkbook(segs(headerRow, `<row r="2">`, seg{cell, 3}, `</row>`), nil)
	}
	doctype := func() []zipPart {
		parts := handWorkbook(segs(headerRow), nil)
		parts[4].body = segs(`<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "PLANTED">]><worksheet><sheetData/></worksheet>`)
		return parts
	}
	noRatio := func(l *xlsxLimits) { l.ratio = 0 }
	cases := []struct {
		name   string
		bomb   string // key into bombs
		limits func(*xlsxLimits)
		line   int
		reason string
	}{
		{"1 GiB shared string: stated size", "sst", nil, 0,
			"part xl/sharedStrings.xml inflates to 10737"},
		{"1 GiB shared string, under a larger limit: inflation", "sst", func(l *xlsxLimits) { l.sstBytes = 2 * gib }, 0,
			"part xl/sharedStrings.xml inflates "},
		// encoding/xml hands over the text it holds when the token guard stops it, which
		// is then seen to be past the cell limit: both bound what is held.
		{"1 GiB shared string, no ratio check: Excel's cell limit", "sst", func(l *xlsxLimits) { l.sstBytes, l.ratio = 2*gib, 0 }, 0,
			"shared string 0 holds more than 32767 characters (Excel's limit for a cell)"},
		{"1 GiB inline cell: inflation", "inline", nil, 0,
			`reading sheet "Data": part xl/worksheets/sheet1.xml inflates `},
		{"1 GiB inline cell, no ratio check: Excel's cell limit", "inline", noRatio, 2,
			"cell A2 holds more than 32767 characters (Excel's limit for a cell)"},
		{"256 MiB tag, no ratio check: the token limit", "tag", noRatio, 2,
			"part xl/worksheets/sheet1.xml holds an XML token (a run of text or a tag) of more than 1048576 bytes"},
		{"100M empty rows: inflation", "rows", nil, 0, "times over (the limit is 100): a zip bomb"},
		{"100M empty rows, no ratio check: Excel's last row", "rows", noRatio, maxSheetRows + 1,
			"row is beyond row 1048576, Excel's last"},
		{"a cell of short runs, no ratio check: Excel's cell limit", "split", noRatio, 2,
			"cell B2 holds more than 32767 characters (Excel's limit for a cell)"},
		{"sheet part lying about its size", "lying sheet", nil, 2,
			"part xl/worksheets/sheet1.xml inflates past the 4096 bytes its zip entry states"},
		{"shared strings lying about their size", "lying sst", nil, 0,
			"part xl/sharedStrings.xml inflates past the 4096 bytes its zip entry states"},
		{"elements nested 10M deep, no ratio check", "deep", noRatio, 2,
			"part xl/worksheets/sheet1.xml nests elements more than 128 deep"},
		{"a DOCTYPE (entity expansion)", "doctype", nil, 0, "holds a DOCTYPE or other declaration"},
		{"a zip directory over its limit", "parts", func(l *xlsxLimits) { l.dirBytes = 64 << 10 }, 0,
			"not a readable XLSX workbook: zip directory is larger than the limit for a workbook"},
		{"more shared strings than the limit", "strings", func(l *xlsxLimits) { l.sharedStrings = 1000 }, 0,
			"part xl/sharedStrings.xml holds more than 1000 shared strings"},
		{"a row over its text limit", "wide", func(l *xlsxLimits) { l.rowBytes = 64 << 10 }, 2,
			"row holds more than 65536 bytes of text"},
	}
	builders := map[string]func() []zipPart{
		"sst": sstBomb, "inline": inlineBomb, "rows": emptyRows, "split": splitCell, "deep": deep,
		"lying sheet": lying(inlineBomb, "xl/worksheets/sheet1.xml", 4096), "lying sst": lying(sstBomb, "xl/sharedStrings.xml", 4096),
		"tag": hugeTag, "doctype": doctype, "parts": manyParts, "strings": manyStrings, "wide": wideRow,
	}
	dir := t.TempDir()
	built := map[string]string{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path, ok := built[c.bomb]
			if !ok {
				path = filepath.Join(dir, strings.ReplaceAll(c.bomb, " ", "_")+".xlsx")
				buildZip(t, path, flate.BestSpeed, builders[c.bomb]())
				built[c.bomb] = path
			}
			lim := defaultXLSXLimits()
			if c.limits != nil {
				c.limits(&lim)
			}
			tmp := t.TempDir()
			var err error
			start := time.Now()
			peak := peakHeap(func() { _, err = readXLSXThrough(path, XLSXOptions{TempDir: tmp}, lim) })
			took := time.Since(start)
			refusedWith(t, err, path, c.line, c.reason)
			if peak > heapMargin {
				t.Errorf("peak heap %d MiB, over the %d MiB margin", peak>>20, heapMargin>>20)
			}
			if took > 10*time.Second {
				t.Errorf("refused after %v", took)
			}
			emptyDir(t, tmp)
			t.Logf("refused in %v, peak heap %.1f MiB", took.Round(time.Millisecond), float64(peak)/(1<<20))
		})
	}
}

// inlineCell is an inline-string cell at ref holding text.
func inlineCell(ref, text string) string {
	return `<c r="` + ref + `" t="inlineStr"><is><t>` + text + `</t></is></c>`
}

func TestXLSXHostileCellsRefused(t *testing.T) {
	long := strings.Repeat("P", maxCellChars+1)
	first := `<row r="2">` + inlineCell("A2", planted) // a data row begins with a planted value
	cases := []struct {
		name   string
		rows   string
		sst    string // "" = no shared-string table
		line   int
		reason string
	}{
		{"inline cell over Excel's limit", first + inlineCell("B2", long) + `</row>`, "", 2,
			"cell B2 holds more than 32767 characters (Excel's limit for a cell)"},
		{"rich text runs over Excel's limit together", first + `<c r="C2" t="inlineStr"><is><r><t>` + long[:20000] +
			`</t></r><r><t>` + long[:20000] + `</t></r></is></c></row>`, "", 2, "cell C2 holds more than 32767 characters"},
		{"formula text over Excel's limit", first + `<c r="B2" t="str"><f>REPT("P",32768)</f><v>` + long + `</v></c></row>`, "", 2,
			"cell B2 holds more than 32767 characters"},
		{"shared string over Excel's limit", first + `</row>`, `<si><t>` + planted + `</t></si><si><t>` + long + `</t></si>`, 0,
			"shared string 1 holds more than 32767 characters (Excel's limit for a cell)"},
		{"row beyond Excel's last", first + `</row><row r="1048577">` + inlineCell("A1048577", planted) + `</row>`, "", maxSheetRows + 1,
			"row is beyond row 1048576, Excel's last"},
		{"rows counted past Excel's last", first + `</row><row r="1048576"/><row>` + inlineCell("A1048577", planted) + `</row>`, "",
			maxSheetRows + 1, "row is beyond row 1048576, Excel's last"},
		{"rows out of order", `<row r="3">` + inlineCell("A3", planted) + `</row>` + first + `</row>`, "", 2,
			"row comes after row 3 (rows out of order)"},
		{"a row repeated", first + `</row>` + first + `</row>`, "", 2, "row comes after row 2 (rows out of order)"},
		{"a cell beyond column XFD", first + inlineCell("XFE2", planted) + `</row>`, "", 2, "row has a cell beyond column XFD, Excel's last"},
		{"a cell counted beyond column XFD", first + inlineCell("XFD2", planted) + `<c><v>1</v></c></row>`, "", 2,
			"row has a cell beyond column XFD, Excel's last"},
		{"cells out of order", first + inlineCell("C2", planted) + inlineCell("B2", planted) + `</row>`, "", 2,
			"cell B2 comes after column C (cells out of order)"},
		{"a cell reference that is not a cell name", first + `<c r="9434765919"><v>1</v></c></row>`, "", 2,
			"the cell after column A has a reference that is not a cell name"},
		{"a shared-string index that is not a number", first + `<c r="B2" t="s"><v>` + planted + `</v></c></row>`, `<si><t>x</t></si>`, 2,
			"cell B2 has a shared-string index that is not a number"},
		{"a shared-string index past the table", first + `<c r="B2" t="s"><v>7</v></c></row>`, `<si><t>` + planted + `</t></si>`, 2,
			"cell B2 refers to shared string 7, past the workbook's 1"},
		{"XML that is not well-formed", first + `<c r="B2"><v>&` + planted + `;</v></c></row>`, "", 2,
			"part xl/worksheets/sheet1.xml is not well-formed XML (at its line 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var sst []seg
			if c.sst != "" {
				sst = segs(c.sst)
			}
			path := filepath.Join(t.TempDir(), "hostile.xlsx")
			buildZip(t, path, flate.BestSpeed, handWorkbook(segs(headerRow, c.rows), sst))
			_, err := readXLSXThrough(path, XLSXOptions{}, defaultXLSXLimits())
			refusedWith(t, err, path, c.line, c.reason)
		})
	}
}

// TestXLSXCellAtExcelsLimitLoads: the limits refuse only what Excel could not have
// written: a cell of 32,767 characters (of any width, or escaped), the last row, the
// last column.
func TestXLSXCellAtExcelsLimitLoads(t *testing.T) {
	atLimit := strings.Repeat("é", maxCellChars) // 2 bytes a character: the limit counts characters
	escaped := strings.Repeat("_x0041_", maxCellChars)
	rows := `<row r="2">` + inlineCell("A2", "R1") + inlineCell("B2", atLimit) + `<c r="C2" t="s"><v>0</v></c>` +
		inlineCell("D2", escaped) + `</row><row r="1048576">` + inlineCell("XFD1048576", "last") + `</row>`
	path := filepath.Join(t.TempDir(), "limits.xlsx")
	buildZip(t, path, flate.BestSpeed, handWorkbook(segs(headerRow, rows), segs(`<si><t>`+atLimit+`</t></si>`)))
	src, err := newXLSXSource(path, "", XLSXOptions{}, defaultXLSXLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	var lines []int64
	var last []string
	for {
		cells, line, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if line == 2 && (len(cells) != 4 || cells[1] != atLimit || cells[2] != atLimit || cells[3] != strings.Repeat("A", maxCellChars)) {
			t.Errorf("row 2 did not load whole")
		}
		lines, last = append(lines, line), cells
	}
	if fmt.Sprint(lines) != "[1 2 1048576]" || len(last) != maxSheetCols || last[maxSheetCols-1] != "last" {
		t.Errorf("rows %v; the last has %d cells", lines, len(last))
	}
}

// openFiles lists the files this process holds open under dir (Linux only), deleted or not.
func openFiles(t testing.TB, dir string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd to look for open files in")
	}
	var open []string
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
			open = append(open, target)
		}
	}
	return open
}

// TestXLSXSharedStringsSpillToTempDirAndAreRemoved: a shared-string table too large for
// memory goes to a file in the temp directory the caller names (created if missing),
// which reads as memory would, is never visible there, and is closed on release and on
// error.
func TestXLSXSharedStringsSpillToTempDirAndAreRemoved(t *testing.T) {
	sst := segs(`<si><t>`+planted+`</t></si>`, `<si><r><t>rich </t></r><r><rPr><b/></rPr><t>text</t></r><rPh><t>phonetic</t></rPh></si>`,
		`<si><t xml:space="preserve"> a_x000D_b </t></si>`)
	rows := `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c></row>`
	header := `<row r="1">` + inlineCell("A1", "referral_id") + inlineCell("B1", "b") + inlineCell("C1", "c") + `</row>`
	good := filepath.Join(t.TempDir(), "good.xlsx")
	buildZip(t, good, flate.BestSpeed, handWorkbook(segs(header, rows), sst))
	bad := filepath.Join(t.TempDir(), "bad.xlsx")
	buildZip(t, bad, flate.BestSpeed, handWorkbook(segs(header, rows, `<row r="3"><c r="A3" t="s"><v>3</v></c></row>`), sst))

	inMemory, err := readXLSXThrough(good, XLSXOptions{}, defaultXLSXLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{planted, "rich text", " a\rb ", "2"}}
	if fmt.Sprint(inMemory) != fmt.Sprint(want) {
		t.Fatalf("in memory: rows %q, want %q", inMemory, want)
	}
	spill := defaultXLSXLimits()
	spill.sstInMemory = 0
	tmp := filepath.Join(t.TempDir(), "not", "yet")
	rr, err := openXLSX(memory.DefaultAllocator, good, "", []string{"referral_id"}, XLSXOptions{TempDir: tmp}, spill)
	if err != nil {
		t.Fatal(err)
	}
	if open := openFiles(t, tmp); len(open) != 1 || !strings.HasSuffix(open[0], " (deleted)") {
		t.Errorf("open in the temp directory: %q, want one file, already deleted", open)
	}
	emptyDir(t, tmp)
	rr.Release()
	if open := openFiles(t, tmp); len(open) != 0 {
		t.Errorf("still open after release: %q", open)
	}
	spilled, err := readXLSXThrough(good, XLSXOptions{TempDir: tmp}, spill)
	if err != nil || fmt.Sprint(spilled) != fmt.Sprint(want) {
		t.Errorf("spilled: rows %q (%v), want %q", spilled, err, want)
	}
	_, err = readXLSXThrough(bad, XLSXOptions{TempDir: tmp}, spill)
	refusedWith(t, err, bad, 3, "cell A3 refers to shared string 3, past the workbook's 3")
	if open := openFiles(t, tmp); len(open) != 0 {
		t.Errorf("still open after an error: %q", open)
	}
	emptyDir(t, tmp)
}

// TestXLSXValuesMatchExcelize reads a workbook excelize wrote, with the value kinds
// socrx meets, and compares every cell with excelize's own raw reading of it (numbers
// normalised as socrx prints them): the streaming reader replaced excelize's and must
// read what it read.
func TestXLSXValuesMatchExcelize(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	values := []any{"referral_id", "plain", "  spaced  ", "two\nlines", "Tŷ Gwyn Café 😀", `quote " & <angle>`, "x_x000D_y", "_x005F_x0041_",
		"a_x0041_b", 42, -1.5, 0.1 + 0.2, 1e20, 9434765919, true, false, "", "=not a formula", "#N/A", "0123"}
	for i, v := range values {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
		cell, _ = excelize.CoordinatesToCellName(i+1, 3) // the same again, two rows down
		if err := f.SetCellValue("Sheet1", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SetCellRichText("Sheet1", "B4", []excelize.RichTextRun{{Text: "bold "}, {Text: "plain", Font: &excelize.Font{Bold: true}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellFormula("Sheet1", "C4", "1+1"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellStr("Sheet1", "E6", "after a gap"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kinds.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}

	want, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range want {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			switch typ, _ := f.GetCellType("Sheet1", cell); typ {
			case excelize.CellTypeNumber, excelize.CellTypeUnset:
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					row[c] = plainNumber(x)
				}
			case excelize.CellTypeBool:
				row[c] = map[string]string{"1": "TRUE", "0": "FALSE"}[v]
			}
		}
	}
	src, err := newXLSXSource(path, "", XLSXOptions{}, defaultXLSXLimits())
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	got := make([][]string, 0, len(want))
	for {
		cells, line, err := src.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for len(got) < int(line)-1 {
			got = append(got, nil)
		}
		got = append(got, cells)
	}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("rows\n%q\nwant (excelize)\n%q", got, want)
	}
}

// repeatReader reads unit over and over, for ever: a file with no end.
type repeatReader struct {
	unit []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.unit[r.off:])
		n += c
		r.off = (r.off + c) % len(r.unit)
	}
	return n, nil
}

func TestEMISBombRefusedWithBoundedMemory(t *testing.T) {
	const head = "\"Report Title\",\"x\"\r\nreferral_id,person_id\r\n"
	endless := func(start, unit []byte) io.Reader {
		return io.MultiReader(bytes.NewReader(start), &repeatReader{unit: unit})
	}
	le := func(s string) []byte { return utf16Bytes(t, s, unicode.LittleEndian) }
	tooLong := "record is longer than 4194304 bytes: a quote never closed, or no line breaks"
	cases := []struct {
		name   string
		r      io.Reader
		line   int
		reason string
	}{
		{"one endless line", endless([]byte(head+"R1,"), []byte(planted)), 3, tooLong},
		{"an endless quoted field", endless([]byte(head+`R1,"`), []byte(planted+"\r\n")), 3, tooLong},
		{"an endless UTF-16 line", endless(le(head+"R1,"), le(planted)[2:]), 3, tooLong},
		{"endless blank lines", endless([]byte(head+"R1,P1\r\n"), []byte("\r\n")), 4, tooLong},
		{"a field over Excel's limit", strings.NewReader(head + "R1," + strings.Repeat(planted, 4000) + "\r\n"), 3,
			"field 2 holds more than 32767 characters (Excel's limit for a cell)"},
		{"a quote never closed, past Excel's limit", strings.NewReader(head + `R1,"` + strings.Repeat(planted+"\r\n", 2000)), 3,
			"field 2 holds more than 32767 characters (Excel's limit for a cell)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			start := time.Now()
			peak := peakHeap(func() {
				var rr array.RecordReader
				if rr, err = openEMIS(memory.DefaultAllocator, "export.csv", io.NopCloser(c.r), []string{"referral_id"}, ','); err != nil {
					return
				}
				defer rr.Release()
				for rr.Next() {
				}
				err = rr.Err()
			})
			refusedWith(t, err, "export.csv", c.line, c.reason)
			// encoding/csv holds a record about three times while it splits it.
			if peak > 32<<20 {
				t.Errorf("peak heap %d MiB, over 32 MiB", peak>>20)
			}
			t.Logf("refused in %v, peak heap %.1f MiB", time.Since(start).Round(time.Millisecond), float64(peak)/(1<<20))
		})
	}
}

// TestEMISFieldAtExcelsLimitLoads: a field of 32,767 characters (2-byte ones here)
// loads whole.
func TestEMISFieldAtExcelsLimitLoads(t *testing.T) {
	long := strings.Repeat("é", maxCellChars)
	path := writeFile(t, "export.csv", []byte("referral_id,reason\r\nR1,\""+long+"\"\r\n"))
	rr, err := OpenEMIS(path, []string{"referral_id"}, ',')
	rows := openRows(t, rr, err)
	if len(rows) != 1 || rows[0][1] != long {
		t.Errorf("the field at the limit did not load whole")
	}
}

var updateHostile = flag.Bool("update-hostile", false, "rewrite the committed hostile fixtures in testdata/hostile")

// referralsHeader is row 1 of the hostile workbooks: the referral contract's required
// columns, so that a pipeline test can read the files as a referrals source.
const referralsHeader = `<row r="1">` + `<c r="A1" t="inlineStr"><is><t>referral_id</t></is></c><c r="B1" t="inlineStr"><is><t>person_id</t></is></c>` +
	`<c r="C1" t="inlineStr"><is><t>scheme_id</t></is></c><c r="D1" t="inlineStr"><is><t>practice_code</t></is></c>` +
	`<c r="E1" t="inlineStr"><is><t>referral_date</t></is></c></row>`

// plantedRow is a well-formed data row whose values are planted.
func plantedRow(n int) string {
	r := strconv.Itoa(n)
	return `<row r="` + r + `">` + inlineCell("A"+r, planted) + inlineCell("B"+r, planted) + inlineCell("C"+r, "SP01") +
		inlineCell("D"+r, "A81001") + `<c r="E` + r + `"><v>45325</v></c></row>`
}

// hostileFixtures are the committed files of testdata/hostile (see its README.md), each
// with the refusal it must meet.
var hostileFixtures = []struct {
	name   string
	parts  func() []zipPart // a workbook; nil for a text file
	text   func() []byte
	line   int
	reason string
}{
	{name: "xlsx_shared_string_bomb.xlsx", parts: func() []zipPart {
		return handWorkbook(segs(referralsHeader, `<row r="2"><c r="A2" t="s"><v>0</v></c></row>`), segs(`<si><t>`, seg{"PLANTED ", 4 << 20}, `</t></si>`))
	}, reason: "part xl/sharedStrings.xml inflates * times over (the limit is 100): a zip bomb"},
	{name: "xlsx_long_cell.xlsx", parts: func() []zipPart {
		return handWorkbook(segs(plantedRowAfterHeader(), `<row r="3">`, inlineCell("A3", "R003"), `<c r="B3" t="inlineStr"><is><t>`,
			seg{"PLANTED ", 5000}, `</t></is></c></row>`), nil)
	}, line: 3, reason: "cell B3 holds more than 32767 characters (Excel's limit for a cell)"},
	{name: "xlsx_empty_rows.xlsx", parts: func() []zipPart {
		return handWorkbook(segs(plantedRowAfterHeader(), seg{"<row/>", 8_000_000}, plantedRow(8_000_003)), nil)
	}, reason: `reading sheet "Data": part xl/worksheets/sheet1.xml inflates * times over (the limit is 100): a zip bomb`},
	{name: "xlsx_lying_size.xlsx", parts: func() []zipPart {
		parts := handWorkbook(segs(plantedRowAfterHeader(), `<row r="3"><c r="A3" t="inlineStr"><is><t>`, seg{"PLANTED ", 2 << 20}, `</t></is></c></row>`), nil)
		parts[4].declared = 4096
		return parts
	}, line: 3, reason: "part xl/worksheets/sheet1.xml inflates past the 4096 bytes its zip entry states"},
	{name: "emis_endless_field.csv", text: func() []byte {
		return []byte("\"Report Title\",\"Hostile\"\r\nreferral_id,person_id,scheme_id,practice_code,referral_date\r\n" +
			"R001," + planted + ",SP01,A81001,03-Feb-2024\r\n" + `R002,"` + strings.Repeat(planted+"\r\n", 2000))
	}, line: 4, reason: "field 2 holds more than 32767 characters (Excel's limit for a cell)"},
}

func plantedRowAfterHeader() string { return referralsHeader + plantedRow(2) }

// zipDigest lists a zip's entries with the SHA-256 of each one's inflated content, so
// that fixtures compare by what they hold, not by a deflater's bytes.
func zipDigest(t testing.TB, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var b strings.Builder
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, rc) // a lying entry fails here, once its stated size is read
		rc.Close()
		fmt.Fprintf(&b, "%s %d %x %v\n", e.Name, e.UncompressedSize64, h.Sum(nil), err != nil)
	}
	return b.String()
}

// TestHostileFixtures keeps the committed hostile files what their README says: each
// refused with its one-line message, none over 100 KB, each reproducible from its
// builder. Regenerate with go test ./connectors -run TestHostileFixtures -update-hostile.
func TestHostileFixtures(t *testing.T) {
	for _, fx := range hostileFixtures {
		t.Run(fx.name, func(t *testing.T) {
			path := filepath.Join("testdata", "hostile", fx.name)
			fresh := filepath.Join(t.TempDir(), fx.name)
			if fx.parts != nil {
				buildZip(t, fresh, flate.BestCompression, fx.parts())
			} else if err := os.WriteFile(fresh, fx.text(), 0o644); err != nil {
				t.Fatal(err)
			}
			if *updateHostile {
				b, err := os.ReadFile(fresh)
				if err == nil {
					err = os.WriteFile(path, b, 0o644)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Size() > 100<<10 {
				t.Errorf("%s is %d bytes, over 100 KB", path, fi.Size())
			}
			if fx.parts != nil {
				if zipDigest(t, path) != zipDigest(t, fresh) {
					t.Errorf("%s differs from its builder; run with -update-hostile", path)
				}
				_, err = readXLSXThrough(path, XLSXOptions{TempDir: t.TempDir()}, defaultXLSXLimits())
			} else {
				want, _ := os.ReadFile(fresh)
				if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
					t.Errorf("%s differs from its builder; run with -update-hostile", path)
				}
				err = openAndLoad(t, path, []string{"referral_id"})
			}
			refusedWith(t, err, path, fx.line, fx.reason)
			t.Log(err)
		})
	}
}
