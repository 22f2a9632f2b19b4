package connectors

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/text/encoding/unicode"
)

var updateEMIS = flag.Bool("update-emis", false, "rewrite the committed EMIS export fixtures")

// emisExport is a real-shaped EMIS Web report export: report metadata, a blank line, a
// header with a wrapped cell, three referrals and the report's Total row.
func emisExport(nl string) string {
	return strings.Join([]string{
		`"Report Title","Social prescribing referrals"`,
		`"Run Date","03-Feb-2024 09:12"`,
		`"Population Count","3"`,
		``,
		`"Patient ID","Referral` + nl + `Date","Referral ID","Practice Code","Referral Source","Service"`,
		`"P0001","03-Feb-2024","R0001","A81001","GP","Tŷ Gwyn Café"`,
		`"P0002","10-Feb-2024","R0002","A81001","","Housing, benefits"`,
		`"P0003","29-Feb-2024","R0003","A81002","Self-referral","Link worker ""drop-in"""`,
		`"Total","3"`,
		``,
	}, nl)
}

var (
	emisWant   = []string{"patient id", "Referral Date", "Referral ID"}
	emisHeader = []string{"Patient ID", "Referral Date", "Referral ID", "Practice Code", "Referral Source", "Service", "_line"}
	// Records 1–3 are metadata, the blank line is no record, 4 is the header.
	emisRows = [][]string{
		{"P0001", "03-Feb-2024", "R0001", "A81001", "GP", "Tŷ Gwyn Café", "5"},
		{"P0002", "10-Feb-2024", "R0002", "A81001", "<null>", "Housing, benefits", "6"},
		{"P0003", "29-Feb-2024", "R0003", "A81002", "Self-referral", `Link worker "drop-in"`, "7"},
	}
)

func utf16Bytes(t testing.TB, s string, order unicode.Endianness) []byte {
	t.Helper()
	b, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// emisFixtures are the committed exports, as EMIS writes them on Windows (CRLF).
func emisFixtures(t testing.TB) map[string][]byte {
	return map[string][]byte{
		"referrals_utf16le.csv": utf16Bytes(t, emisExport("\r\n"), unicode.LittleEndian),
		"referrals_utf8bom.csv": append([]byte("\xef\xbb\xbf"), emisExport("\r\n")...),
	}
}

// TestEMISFixtures keeps the committed files reproducible from emisExport; regenerate
// with go test ./connectors -run TestEMISFixtures -update-emis.
func TestEMISFixtures(t *testing.T) {
	for name, want := range emisFixtures(t) {
		p := filepath.Join("testdata", "emis", name)
		if *updateEMIS {
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from emisExport; run with -update-emis", p)
		}
	}
}

func writeFile(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// loadTable loads rr into a fresh transaction and returns its header and rows by _line.
func loadTable(t testing.TB, rr array.RecordReader) ([]string, [][]string, error) {
	t.Helper()
	conn := txConn(t)
	var header []string
	for _, f := range rr.Schema().Fields() {
		header = append(header, f.Name)
	}
	if _, err := LoadArrow(context.Background(), conn, rr, "src"); err != nil {
		return header, nil, err
	}
	return header, queryStrings(t, conn, "SELECT * FROM src ORDER BY _line"), nil
}

// openRows loads what an Open call returned, failing the test on any error.
func openRows(t testing.TB, rr array.RecordReader, err error) [][]string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	_, rows, err := loadTable(t, rr)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestOpenEMIS(t *testing.T) {
	export := emisExport("\r\n")
	// Excel's "Unicode text": UTF-16 LE with a BOM, tab-separated, quoted only where needed
	tabbed := strings.Join([]string{
		"Report Title\tSocial prescribing referrals",
		"Run Date\t03-Feb-2024 09:12",
		"Population Count\t3",
		"",
		"Patient ID\t\"Referral\r\nDate\"\tReferral ID\tPractice Code\tReferral Source\tService",
		"P0001\t03-Feb-2024\tR0001\tA81001\tGP\tTŷ Gwyn Café",
		"P0002\t10-Feb-2024\tR0002\tA81001\t\tHousing, benefits",
		"P0003\t29-Feb-2024\tR0003\tA81002\tSelf-referral\t\"Link worker \"\"drop-in\"\"\"",
		"Total\t3",
		"",
	}, "\r\n")
	cases := []struct {
		name  string
		path  string
		comma rune
	}{
		{"UTF-16 LE with BOM", filepath.Join("testdata", "emis", "referrals_utf16le.csv"), ','},
		{"UTF-8 with BOM", filepath.Join("testdata", "emis", "referrals_utf8bom.csv"), ','},
		{"UTF-16 BE with BOM", writeFile(t, "be.csv", utf16Bytes(t, export, unicode.BigEndian)), ','},
		{"UTF-16 LE without BOM", writeFile(t, "le.csv", utf16Bytes(t, export, unicode.LittleEndian)[2:]), ','},
		{"UTF-16 BE without BOM", writeFile(t, "be.csv", utf16Bytes(t, export, unicode.BigEndian)[2:]), ','},
		{"UTF-16 LE, tab-separated", writeFile(t, "tab.txt", utf16Bytes(t, tabbed, unicode.LittleEndian)), '\t'},
		{"UTF-8, LF", writeFile(t, "lf.csv", []byte(emisExport("\n"))), ','},
		{"UTF-8, CR only", writeFile(t, "cr.csv", []byte(emisExport("\r"))), ','},
		{"no trailing newline", writeFile(t, "nonl.csv", []byte(strings.TrimRight(export, "\r\n"))), ','},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			src, err := os.Open(c.path)
			if err != nil {
				t.Fatal(err)
			}
			rr, err := openEMIS(mem, c.path, src, emisWant, c.comma)
			if err != nil {
				t.Fatal(err)
			}
			header, rows, err := loadTable(t, rr)
			rr.Release()
			if err != nil {
				t.Fatal(err)
			}
			mem.AssertSize(t, 0)
			if fmt.Sprint(header) != fmt.Sprint(emisHeader) {
				t.Errorf("header %q, want %q", header, emisHeader)
			}
			sameRows(t, rows, emisRows)
		})
	}
}

func TestEMISTotalRow(t *testing.T) {
	head := "\"Report Title\",\"x\"\nid,n\n"
	cases := []struct {
		name string
		body string
		want [][]string
	}{
		{"trailing total and blank lines dropped", "a,1\nb,2\nTotal,3\n\n\n", [][]string{{"a", "1", "3"}, {"b", "2", "4"}}},
		{"Totals in capitals, blank record after", "a,1\nTOTALS , 1\n,\n", [][]string{{"a", "1", "3"}}},
		{"total inside the data is data", "a,1\nTotal,1\nb,2\n", [][]string{{"a", "1", "3"}, {"Total", "1", "4"}, {"b", "2", "5"}}},
		{"two totals, the last dropped", "a,1\ntotal,1\ntotal,2\n", [][]string{{"a", "1", "3"}, {"total", "1", "4"}}},
		{"blank records inside the data skipped", "a,1\n,\n\nb,2\n", [][]string{{"a", "1", "3"}, {"b", "2", "5"}}},
		{"short record padded", "a\nb,2\n", [][]string{{"a", "<null>", "3"}, {"b", "2", "4"}}},
		{"empty fields beyond the header ignored", "a,1,,\n", [][]string{{"a", "1", "3"}}},
		{"header only", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rr, err := OpenEMIS(writeFile(t, "x.csv", []byte(head+c.body)), []string{"id"}, ',')
			sameRows(t, openRows(t, rr, err), c.want)
		})
	}
}

// openAndLoad opens an export and loads it, returning the first error of either step.
func openAndLoad(t testing.TB, path string, want []string) error {
	t.Helper()
	rr, err := OpenEMIS(path, want, ',')
	if err != nil {
		return err
	}
	defer rr.Release()
	_, _, err = loadTable(t, rr)
	return err
}

func TestOpenEMISErrors(t *testing.T) {
	le := func(s string) []byte { return utf16Bytes(t, s, unicode.LittleEndian) }
	header := "\"Report Title\",\"x\"\r\n\"Patient ID\",\"Referral Date\"\r\n"
	loneSurrogate := append(le(header+"P1,"), 0x00, 0xd8, 'A', 0x00, '\r', 0, '\n', 0)
	cases := []struct {
		name   string
		data   []byte
		want   []string
		line   int
		column string
		reason string // a substring
	}{
		{"no header row", []byte(emisExport("\r\n")), []string{"Referral Date", "NHS Number"}, 0, "",
			`no header row holding all of "Referral Date", "NHS Number" in the first 50 rows (the closest, line 4, lacks "NHS Number")`},
		{"empty file", nil, []string{"Patient ID"}, 0, "", "file is empty"},
		{"only a BOM and blank lines", []byte("\xef\xbb\xbf\r\n\r\n"), nil, 0, "", "file is empty"},
		{"repeated header", []byte(header[:len(header)-2] + ",\"patient  id\"\r\n"), []string{"Patient ID"}, 2, "patient id", "repeats"},
		{"reserved header", []byte("id,_line\n"), []string{"id"}, 1, "_line", "reserves"},
		{"lone UTF-16 surrogate", loneSurrogate, []string{"Patient ID"}, 0, "", "undecodable UTF-16 at byte"},
		{"odd UTF-16 byte count", append(le(header+"P1,x\r\n"), 'A'), []string{"Patient ID"}, 0, "", "odd number of bytes"},
		{"invalid UTF-8", []byte(header + "P1,\xa3x\r\n"), []string{"Patient ID"}, 3, "", "not valid UTF-8"},
		{"UTF-16 without BOM, not ASCII first", le("£" + header)[2:], []string{"Patient ID"}, 1, "", "NUL bytes"},
		{"NUL bytes in UTF-8", []byte(header + "P1,a\x00b\r\n"), []string{"Patient ID"}, 3, "", "NUL bytes"},
		{"value beyond the header", []byte(header + "P1,x,oops\r\n"), []string{"Patient ID"}, 3, "", "beyond the 2 columns"},
		{"tab-separated read with commas", le(strings.ReplaceAll(header, `","`, "\t") + "P1\tx\r\n"), []string{"Patient ID"}, 0, "",
			`lacks "Patient ID"); most of the file's first rows hold '\t': is that its delimiter?`},
		{"semicolon-separated read with commas", []byte("\"Report, 2024\"\r\nid;n\r\na;1\r\n"), []string{"Patient ID"}, 0, "",
			`lacks "Patient ID"); most of the file's first rows hold ';': is that its delimiter?`},
		{"a semicolon in a few rows is no hint", []byte("title\r\nid,n\r\na;b,1\r\nc,2\r\n"), []string{"Patient ID"}, 0, "",
			`lacks "Patient ID")`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "export.csv", c.data)
			err := openAndLoad(t, path, c.want)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FileError", err)
			}
			if fe.Path != path || fe.Line != c.line || fe.Column != c.column || !strings.Contains(fe.Reason, c.reason) {
				t.Errorf("got %+v, want line %d, column %q, reason containing %q", *fe, c.line, c.column, c.reason)
			}
			if !strings.Contains(c.reason, "delimiter") && strings.Contains(fe.Reason, "delimiter") {
				t.Errorf("reason %q hints at a delimiter", fe.Reason)
			}
		})
	}
}

func TestOpenEMISManyBatches(t *testing.T) {
	const n = 2*batchRows + 3
	var b strings.Builder
	b.WriteString("\"Report Title\",\"big\"\r\nid,v\r\n")
	for i := range n {
		fmt.Fprintf(&b, "r%d,%d\r\n", i, i)
	}
	b.WriteString("Total,1\r\n")
	path := writeFile(t, "big.csv", []byte(b.String()))

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	src, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rr, err := openEMIS(mem, path, src, []string{"id"}, ',')
	if err != nil {
		t.Fatal(err)
	}
	var batches []int64
	next := int64(3) // metadata is record 1, the header 2
	for rr.Next() {
		rec := rr.RecordBatch()
		batches = append(batches, rec.NumRows())
		lines := rec.Column(2).(*array.Int64)
		for i := range lines.Len() {
			if lines.Value(i) != next {
				t.Fatalf("line %d, want %d", lines.Value(i), next)
			}
			next++
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	mem.AssertSize(t, 0)
	if fmt.Sprint(batches) != fmt.Sprint([]int64{batchRows, batchRows, 3}) {
		t.Errorf("batches of %v rows", batches)
	}

	rr, err = OpenEMIS(path, []string{"id"}, ',')
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	conn := txConn(t)
	got, err := LoadArrow(context.Background(), conn, rr, "big")
	if err != nil || got != n {
		t.Fatalf("loaded %d rows (%v), want %d", got, err, n)
	}
	sameRows(t, queryStrings(t, conn, "SELECT count(DISTINCT _line), min(_line), max(_line), max(v::INT) FROM big"),
		[][]string{{fmt.Sprint(n), "3", fmt.Sprint(n + 2), fmt.Sprint(n - 1)}})
}

// Run for a minute with: go test ./connectors -run '^$' -fuzz FuzzOpenEMIS -fuzztime 60s
func FuzzOpenEMIS(f *testing.F) {
	for _, b := range emisFixtures(f) {
		f.Add(b, false)
	}
	f.Add([]byte(emisExport("\n")), true)
	f.Add([]byte("id\n\"a\nb\",c\rTotal\r\n"), true)
	f.Add([]byte{0xfe, 0xff, 0, 'i', 0, 'd', 0xd8, 0}, true)
	f.Add([]byte{'i', 0, 'd', 0, '\t', 0, 'x', 0, '\n', 0}, true)
	f.Fuzz(func(t *testing.T, data []byte, anyHeader bool) {
		want := emisWant
		if anyHeader {
			want = nil
		}
		comma := ','
		if len(data) > 0 && data[len(data)-1]%2 == 1 {
			comma = '\t'
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		rr, err := openEMIS(mem, "fuzz.csv", io.NopCloser(bytes.NewReader(data)), want, comma)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("open: %v is not a *FileError", err)
			}
			return
		}
		defer rr.Release()
		ncols := len(rr.Schema().Fields())
		last := int64(0)
		for rr.Next() {
			rec := rr.RecordBatch()
			if int(rec.NumCols()) != ncols || rec.NumRows() == 0 {
				t.Fatalf("batch of %d columns, %d rows; schema has %d columns", rec.NumCols(), rec.NumRows(), ncols)
			}
			lines := rec.Column(ncols - 1).(*array.Int64)
			for i := range lines.Len() {
				if lines.Value(i) <= last {
					t.Fatalf("line %d after %d", lines.Value(i), last)
				}
				last = lines.Value(i)
				blank := true
				for c := range ncols - 1 {
					col := rec.Column(c).(*array.String)
					if col.IsNull(i) {
						continue
					}
					v := col.Value(i)
					if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 || v == "" {
						t.Fatalf("line %d column %d: value %q", last, c, v)
					}
					blank = blank && strings.TrimSpace(v) == ""
				}
				if blank {
					t.Fatalf("line %d: blank row emitted", last)
				}
			}
		}
		if err := rr.Err(); err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("rows: %v is not a *FileError", err)
			}
		}
	})
}
