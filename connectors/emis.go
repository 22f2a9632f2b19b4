package connectors

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// OpenEMIS streams an EMIS Web report export (CSV) as Arrow record batches of text
// columns plus _line (see LoadArrow).
//
// The file may be UTF-8, with or without a byte-order mark, or UTF-16 LE or BE (EMIS
// writes UTF-16 on some exports), with CRLF, LF or CR line endings; it is decoded as it
// is read, never held whole. UTF-16 without a byte-order mark is known by its first
// character, which is ASCII in any export (a quote, a letter): one of its two bytes is
// NUL, which no UTF-8 text begins with. Fields are separated by comma, which may be
// another character (a tab when the export was re-saved from Excel as Unicode text).
// Report metadata above the header (title, run date, population count, blank lines) is
// skipped: the header is the first record within the first 50 that holds every name in
// want (case-insensitive; a header cell's line breaks and runs of spaces read as one
// space, so "Referral\nDate" is the column "Referral Date"). A trailing Total row (first
// cell Total or Totals, whatever follows) is dropped. Values pass through as text:
// dates such as 03-Feb-2024 are left to the source's date_format.
//
// _line is the record's 1-based number in the file counting every record above the
// header too (metadata rows, the header itself), as encoding/csv counts records: a blank
// line is not a record, and a quoted value spanning lines is one record. Blank records
// are skipped; a short record gives NULLs; a value right of the header's last column,
// bytes that do not decode and NUL bytes are file errors.
//
// Reading is bounded whatever the file: a field over Excel's 32,767 characters and a
// record over maxRecordBytes (one endless line, or a quote never closed) are file errors
// naming the file and line, found before the record is held whole.
//
// Release the reader to close the file.
func OpenEMIS(path string, want []string, comma rune) (array.RecordReader, error) {
	if err := checkComma(comma); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return openEMIS(memory.DefaultAllocator, path, f, want, comma)
}

// checkComma refuses a separator encoding/csv cannot split on.
func checkComma(c rune) error {
	if c == '"' || c == '\r' || c == '\n' || c == 0 || c == utf8.RuneError || !utf8.ValidRune(c) {
		return fmt.Errorf("%q cannot separate fields", c)
	}
	return nil
}

// openEMIS reads an export from r, which it closes when the rows end or on error.
func openEMIS(mem memory.Allocator, path string, r io.ReadCloser, want []string, comma rune) (array.RecordReader, error) {
	src := newEMISSource(path, r, comma)
	src.seps = map[rune]int{}
	header, _, err := findHeader(path, src, want)
	if err != nil {
		return nil, closeAfter(err, src)
	}
	src.seps = nil
	return newTextReader(mem, path, header, src), nil
}

// maxRecordBytes bounds one record, line breaks in quoted fields and any blank lines
// before it included: 128 fields at Excel's cell limit, far past any real export's row,
// yet memory a reader can hold (encoding/csv holds a record about three times over while
// it splits it).
const maxRecordBytes = 4 << 20

// otherSeparators are the field separators exports come with.
const otherSeparators = ",\t;|"

// headerHint names a separator other than the configured one that most of the records
// read so far hold, the likely reason no header was found.
func (s *emisSource) headerHint() string {
	best, n := rune(0), 0
	for _, r := range otherSeparators {
		if s.seps[r] > n {
			best, n = r, s.seps[r]
		}
	}
	if n == 0 || 2*n <= s.nonBlank {
		return ""
	}
	return fmt.Sprintf("; most of the file's first rows hold %q: is that its delimiter?", best)
}

type emisRecord struct {
	cells []string
	line  int64
}

type emisSource struct {
	path   string
	closer io.Closer
	csv    *csv.Reader
	budget *recordBudget // what csv may read for the record being read
	rec    int64         // records read so far
	total  *emisRecord   // a Total row, held until we know whether data follows it
	queued *emisRecord   // the record read after a held Total row that proved not final
	err    error         // the first error; every later call returns it
	// while the header is looked for: how many non-blank records hold each other
	// separator, and how many there were (nil seps once it is found)
	seps     map[rune]int
	nonBlank int
}

func newEMISSource(path string, r io.ReadCloser, comma rune) *emisSource {
	s := &emisSource{path: path, closer: r}
	br := bufio.NewReaderSize(r, 64<<10)
	var text io.Reader = br
	utf16 := func(bigEndian bool, bom int) {
		_, _ = br.Discard(bom)
		order := unicode.LittleEndian
		if bigEndian {
			order = unicode.BigEndian
		}
		text = transform.NewReader(&utf16Check{r: br, bigEndian: bigEndian, off: int64(bom)},
			unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder())
	}
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xef, 0xbb, 0xbf}):
		_, _ = br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xff, 0xfe}):
		utf16(false, 2)
	case bytes.HasPrefix(head, []byte{0xfe, 0xff}):
		utf16(true, 2)
	case len(head) >= 2 && head[0] != 0 && head[0] < utf8.RuneSelf && head[1] == 0:
		utf16(false, 0)
	case len(head) >= 2 && head[0] == 0 && head[1] != 0 && head[1] < utf8.RuneSelf:
		utf16(true, 0)
	}
	s.budget = &recordBudget{r: transform.NewReader(text, crOnly{})}
	s.csv = csv.NewReader(s.budget)
	s.csv.Comma = comma
	s.csv.LazyQuotes = true
	s.csv.FieldsPerRecord = -1
	return s
}

// next returns the file's records in order with their numbers, holding back a Total
// row until a later non-blank record shows it was not the last.
func (s *emisSource) next() ([]string, int64, error) {
	if q := s.queued; q != nil {
		s.queued = nil
		return q.cells, q.line, nil
	}
	for {
		cells, line, err := s.read()
		if errors.Is(err, io.EOF) {
			s.total = nil // only blank records followed it: the report's footer
			return nil, 0, io.EOF
		}
		if err != nil {
			return nil, 0, err
		}
		if blankRow(cells) {
			continue
		}
		if s.seps != nil {
			s.countSeparators(cells)
		}
		if t := s.total; t != nil {
			s.total = nil
			if totalRow(cells) {
				s.total = &emisRecord{cells, line}
			} else {
				s.queued = &emisRecord{cells, line}
			}
			return t.cells, t.line, nil
		}
		if totalRow(cells) {
			s.total = &emisRecord{cells, line}
			continue
		}
		return cells, line, nil
	}
}

func (s *emisSource) countSeparators(cells []string) {
	s.nonBlank++
	for _, r := range otherSeparators {
		if r == s.csv.Comma {
			continue
		}
		for _, c := range cells {
			if strings.ContainsRune(c, r) {
				s.seps[r]++
				break
			}
		}
	}
}

// read returns the next record, refusing text that did not decode cleanly.
func (s *emisSource) read() ([]string, int64, error) {
	if s.err != nil {
		return nil, 0, s.err
	}
	s.budget.reset()
	cells, err := s.csv.Read()
	if err != nil {
		s.err = s.readError(err)
		return nil, 0, s.err
	}
	s.rec++
	if fe := s.checkLengths(cells); fe != nil {
		s.err = fe
		return nil, 0, s.err
	}
	for i, c := range cells {
		if strings.IndexByte(c, 0) >= 0 {
			s.err = &FileError{Path: s.path, Line: int(s.rec),
				Reason: "file holds NUL bytes: not a text file, or UTF-16 without a byte-order mark whose first character is not ASCII"}
			return nil, 0, s.err
		}
		if !utf8.ValidString(c) {
			s.err = &FileError{Path: s.path, Line: int(s.rec),
				Reason: fmt.Sprintf("field %d is not valid UTF-8; export the report as UTF-8 or UTF-16", i+1)}
			return nil, 0, s.err
		}
	}
	return cells, s.rec, nil
}

// checkLengths refuses a field over Excel's cell limit.
func (s *emisSource) checkLengths(cells []string) error {
	for i, c := range cells {
		if len(c) > maxCellChars && utf8.RuneCountInString(c) > maxCellChars {
			return &FileError{Path: s.path, Line: int(s.rec),
				Reason: fmt.Sprintf("field %d holds more than %d characters (Excel's limit for a cell)", i+1, maxCellChars)}
		}
	}
	return nil
}

func (s *emisSource) readError(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	if errors.Is(err, errRecordTooLong) {
		return &FileError{Path: s.path, Line: int(s.rec) + 1,
			Reason: fmt.Sprintf("record is longer than %d bytes: a quote never closed, or no line breaks", maxRecordBytes)}
	}
	var bad *undecodableError
	if errors.As(err, &bad) {
		return &FileError{Path: s.path, Reason: bad.Error()}
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &FileError{Path: s.path, Line: int(s.rec) + 1, Reason: fmt.Sprintf("unreadable CSV record: %v", pe.Err)}
	}
	return fmt.Errorf("reading %s: %w", s.path, err)
}

func (s *emisSource) close() error {
	if s.closer == nil {
		return nil
	}
	err := s.closer.Close()
	s.closer = nil
	return err
}

// errRecordTooLong is a record past maxRecordBytes.
var errRecordTooLong = errors.New("record too long")

// recordBudget fails a read once the record being read has taken more than
// maxRecordBytes, so encoding/csv, which holds a record whole and has no limit of its
// own, never holds more. csv reads ahead through a 4 KiB buffer, so a record may draw up
// to that much beyond its own bytes; the slack allows it.
type recordBudget struct {
	r    io.Reader
	left int
}

func (b *recordBudget) reset() { b.left = maxRecordBytes + 64<<10 }

func (b *recordBudget) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errRecordTooLong
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	return n, err
}

// crOnly turns a lone CR into LF: encoding/csv ends records only at LF, and the extract
// contract accepts old Mac CR-only line endings. CRLF passes unchanged.
type crOnly struct{ transform.NopResetter }

func (crOnly) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		if nDst >= len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		c := src[nSrc]
		if c == '\r' {
			if nSrc+1 == len(src) && !atEOF {
				return nDst, nSrc, transform.ErrShortSrc
			}
			if nSrc+1 == len(src) || src[nSrc+1] != '\n' {
				c = '\n'
			}
		}
		dst[nDst] = c
		nDst++
		nSrc++
	}
	return nDst, nSrc, nil
}

// totalRow reports whether a record is a report's totals line.
func totalRow(cells []string) bool {
	first := strings.ToLower(strings.TrimSpace(cells[0]))
	return first == "total" || first == "totals"
}

// undecodableError is UTF-16 that does not decode: x/text's decoder would quietly
// replace it with U+FFFD, and a replaced id or date is worse than a refused file.
type undecodableError struct {
	off    int64
	reason string
}

func (e *undecodableError) Error() string {
	return fmt.Sprintf("undecodable UTF-16 at byte %d: %s", e.off, e.reason)
}

// utf16Check passes UTF-16 bytes through unchanged, failing at the first code unit that
// cannot decode: a lone surrogate or an odd final byte.
type utf16Check struct {
	r         io.Reader
	bigEndian bool
	off       int64 // file offset of the next unit
	carry     int   // 1 + the first byte of a unit split across reads; 0 when none
	high      bool  // the previous unit was a high surrogate
	err       error
}

func (u *utf16Check) Read(p []byte) (int, error) {
	if u.err != nil {
		return 0, u.err
	}
	n, err := u.r.Read(p)
	i := 0
	if u.carry > 0 && n > 0 {
		if e := u.unit(byte(u.carry-1), p[0]); e != nil {
			return 0, e
		}
		u.carry, i = 0, 1
	}
	for ; i+1 < n; i += 2 {
		if e := u.unit(p[i], p[i+1]); e != nil {
			return 0, e
		}
	}
	if i < n {
		u.carry = int(p[i]) + 1
	}
	if errors.Is(err, io.EOF) {
		switch {
		case u.carry > 0:
			return 0, u.fail("odd number of bytes")
		case u.high:
			return 0, u.fail("file ends inside a surrogate pair")
		}
	}
	return n, err
}

// unit checks one code unit against the one before it.
func (u *utf16Check) unit(b0, b1 byte) error {
	v := uint16(b0) | uint16(b1)<<8
	if u.bigEndian {
		v = uint16(b0)<<8 | uint16(b1)
	}
	switch {
	case v >= 0xd800 && v < 0xdc00:
		if u.high {
			return u.fail("high surrogate not followed by a low one")
		}
		u.high = true
	case v >= 0xdc00 && v < 0xe000:
		if !u.high {
			return u.fail("low surrogate without a high one")
		}
		u.high = false
	default:
		if u.high {
			return u.fail("high surrogate not followed by a low one")
		}
	}
	u.off += 2
	return nil
}

func (u *utf16Check) fail(reason string) error {
	u.err = &undecodableError{off: u.off, reason: reason}
	return u.err
}
