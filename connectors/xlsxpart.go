package connectors

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// Excel's own limits (Microsoft's "Excel specifications and limits"): a workbook Excel
// wrote never passes them, so a file that does was made by something else, and refusing
// it costs no real extract.
const (
	maxCellChars = 32767   // characters in a cell
	maxSheetRows = 1048576 // rows on a sheet
	maxSheetCols = 16384   // columns on a sheet (A to XFD)
)

// xlsxLimits bound what one workbook may cost to read, so that peak memory stays a fixed
// margin (about 250 MiB at the defaults, whatever the file) and a small file cannot make
// for a long read. A zip's directory states each part's uncompressed size, and those
// sizes are checked before a byte is inflated; they are not trusted, though: each part is
// also counted as it inflates and refused once it passes its stated size.
type xlsxLimits struct {
	sheetBytes int64 // the sheet's XML, inflated
	sstBytes   int64 // the shared-string table's XML, inflated
	partBytes  int64 // any other part read (workbook, relationships, styles), inflated
	// ratio is the most a part of over ratioFloor bytes may inflate per compressed byte (0:
	// no check). Sheet XML inflates 11–15 times in workbooks written by Excel or excelize
	// (measured on 200,000-row sheets of realistic, repeated and empty styled rows);
	// deflate's own maximum is about 1,030.
	ratio      int64
	ratioFloor int64
	// sharedStrings bounds the shared-string table's entries: in memory each costs 4 bytes
	// of offset whatever its length.
	sharedStrings int
	// sstInMemory is the largest shared-string table, in XML bytes, whose text is held in
	// memory; a larger one spills to a file in the temp directory.
	sstInMemory int64
	dirBytes    int64 // the zip's central directory, which archive/zip holds whole
	rowBytes    int   // the text of one row
	token       int   // one XML token (a tag, a run of text, a comment), raw bytes
	depth       int   // XML elements open at once
}

func defaultXLSXLimits() xlsxLimits {
	return xlsxLimits{
		// A full sheet of an extract (1,048,576 rows of 14 columns) is about 600 MB–1 GB
		// of XML; at encoding/xml's 30–60 MB/s, 2 GiB is under a minute's read.
		sheetBytes: 2 << 30,
		sstBytes:   1 << 30,
		partBytes:  32 << 20,
		ratio:      100,
		ratioFloor: 1 << 20,
		// 8 distinct strings per row of a full sheet; 32 MiB of offsets.
		sharedStrings: 1 << 23,
		sstInMemory:   16 << 20,
		dirBytes:      4 << 20, // tens of thousands of parts; a workbook has tens
		rowBytes:      16 << 20,
		// A cell at Excel's limit written as numeric character references (&#x10FFFF;)
		// is about 320 KiB of XML.
		token: 1 << 20,
		depth: 128,
	}
}

// partError is a workbook refused for a reason that names the part itself: a limit
// passed, a part missing or cut short.
type partError struct{ reason string }

func (e *partError) Error() string { return e.reason }

func partErrorf(format string, args ...any) error {
	return &partError{reason: fmt.Sprintf(format, args...)}
}

// xlsxZip is a workbook's zip, read through its bounds.
type xlsxZip struct {
	f     *os.File
	parts map[string]*zip.File // by name, and by lower-case name for the case-blind lookups
	lim   xlsxLimits
}

// openXLSXZip opens a workbook's zip, refusing a central directory over lim.dirBytes by
// the bytes archive/zip reads for it (it reads the directory whole into a File per entry
// at open), whatever the directory says of itself.
func openXLSXZip(path string, lim xlsxLimits) (*xlsxZip, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	// The end of the directory is looked for in the last 65 KiB, in two reads.
	budget := &budgetReaderAt{r: f, left: lim.dirBytes + 66<<10}
	z, err := zip.NewReader(budget, fi.Size())
	if errors.Is(err, zip.ErrInsecurePath) {
		err = nil // names are only looked up here, never written to disk
	}
	if err != nil {
		return nil, errors.Join(err, f.Close())
	}
	budget.left = -1
	x := &xlsxZip{f: f, parts: make(map[string]*zip.File, 2*len(z.File)), lim: lim}
	for _, e := range z.File {
		name := strings.ReplaceAll(e.Name, `\`, "/")
		if _, ok := x.parts[name]; !ok {
			x.parts[name] = e
		}
		if _, ok := x.parts[strings.ToLower(name)]; !ok {
			x.parts[strings.ToLower(name)] = e
		}
	}
	return x, nil
}

func (x *xlsxZip) close() error { return x.f.Close() }

// budgetReaderAt fails reads once left bytes have been read (left < 0: no limit).
type budgetReaderAt struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.left >= 0 {
		if int64(len(p)) > b.left {
			return 0, partErrorf("zip directory is larger than the limit for a workbook (too many parts)")
		}
		b.left -= int64(len(p))
	}
	return b.r.ReadAt(p, off)
}

// part finds a part by name, exactly, else ignoring case as excelize does.
func (x *xlsxZip) part(name string) (*zip.File, bool) {
	if e, ok := x.parts[name]; ok {
		return e, true
	}
	e, ok := x.parts[strings.ToLower(name)]
	return e, ok
}

// open inflates part name, refusing it when its stated size passes limit or its stated
// inflation passes the ratio, and counting what it inflates to hold it to its stated size.
func (x *xlsxZip) open(name string, limit int64) (io.ReadCloser, error) {
	e, ok := x.part(name)
	if !ok {
		return nil, partErrorf("the workbook has no part %s", name)
	}
	size := e.UncompressedSize64
	if size > uint64(limit) {
		return nil, partErrorf("part %s inflates to %d bytes, over the %d-byte limit", name, size, limit)
	}
	if r := uint64(x.lim.ratio); r > 0 && size > uint64(x.lim.ratioFloor) && size/r > e.CompressedSize64 {
		return nil, partErrorf("part %s inflates %d times over (the limit is %d): a zip bomb", name, size/max(e.CompressedSize64, 1), r)
	}
	rc, err := e.Open()
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", name, err)
	}
	return &countedPart{rc: rc, name: name, stated: int64(size)}, nil
}

// countedPart fails a part that inflates past its stated size.
type countedPart struct {
	rc     io.ReadCloser
	name   string
	stated int64
	read   int64
}

func (c *countedPart) Read(p []byte) (int, error) {
	// Ask for one byte more than may come, to see a lie without reading on.
	if left := c.stated - c.read + 1; int64(len(p)) > left {
		p = p[:left]
	}
	n, err := c.rc.Read(p)
	c.read += int64(n)
	if c.read > c.stated || errors.Is(err, zip.ErrFormat) {
		// archive/zip also stops at the stated size, with ErrFormat.
		return 0, partErrorf("part %s inflates past the %d bytes its zip entry states", c.name, c.stated)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return n, partErrorf("part %s ends before the %d bytes its zip entry states (a truncated or altered file)", c.name, c.stated)
	}
	return n, err
}

func (c *countedPart) Close() error { return c.rc.Close() }

// newPartDecoder reads part XML through an xmlGuard. Parts may declare another encoding
// than UTF-8 (excelize reads them too).
func newPartDecoder(r io.Reader, part string, lim xlsxLimits) *xml.Decoder {
	d := xml.NewDecoder(&xmlGuard{r: r, part: part, maxToken: lim.token, maxDepth: lim.depth})
	d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(label)
		if err != nil {
			return nil, fmt.Errorf("part %s declares an unknown encoding", part)
		}
		return transform.NewReader(in, enc.NewDecoder()), nil
	}
	return d
}

// partFailure says why reading a part's XML stopped, never quoting the part: a syntax
// error's text can hold a piece of it (an entity, a name).
func partFailure(part string, err error) string {
	var pe *partError
	if errors.As(err, &pe) {
		return pe.reason
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("part %s is not well-formed XML (at its line %d)", part, se.Line)
	}
	return fmt.Sprintf("reading part %s: %v", part, err)
}

// xmlGuard passes a part's XML through unchanged, failing once a token (a tag, a run of
// text, a comment, a CDATA section, a processing instruction) passes maxToken bytes or
// elements nest deeper than maxDepth. encoding/xml holds a whole token in memory and an
// entry per open element, so these two bounds bound what it holds on a hostile part; a
// DOCTYPE, which workbook XML never has, is refused rather than lexed. The lexing mirrors
// encoding/xml's on well-formed XML; where XML is not, encoding/xml fails on it first.
type xmlGuard struct {
	r                  io.Reader
	part               string
	maxToken, maxDepth int
	state              guardState
	n                  int  // bytes of the current token
	depth              int  // elements open
	quote              byte // in a tag: the quote of the attribute value being read, or 0
	end                bool // in a tag: it is an end tag
	prev, prev2        byte // the bytes before this one (outside quotes, in a tag)
	bang               int  // bytes read after "<!"
	err                error
}

type guardState uint8

const (
	gText    guardState = iota
	gOpen               // after '<'
	gTag                // in a start or end tag
	gBang               // after "<!"
	gComment            // in <!-- -->
	gCDATA              // in <![CDATA[ ]]>
	gPI                 // in <? ?>
)

func (g *xmlGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	// Pass the bytes before a violation, and fail on the next read: the parser then
	// stands where the violation is, so errors name the row that holds it.
	if i, e := g.scan(p[:n]); e != nil {
		g.err = e
		if i == 0 {
			return 0, e
		}
		return i, nil
	}
	return n, err
}

// scan lexes b, returning at the first violation its offset in b and the error.
func (g *xmlGuard) scan(b []byte) (int, error) {
	for i := 0; i < len(b); i++ {
		if g.state == gText {
			// The common case, a run of text up to the next tag, in one step.
			j := bytes.IndexByte(b[i:], '<')
			if j < 0 {
				j = len(b) - i
			}
			if g.n+j > g.maxToken {
				// Pass the text up to the limit: the parser then holds no more.
				return i + g.maxToken - g.n, g.tooLong()
			}
			g.n += j
			if i += j; i == len(b) {
				break
			}
			g.state, g.n = gOpen, 1
			continue
		}
		c := b[i]
		g.n++
		if g.n > g.maxToken {
			return i, g.tooLong()
		}
		switch g.state {
		case gOpen:
			switch c {
			case '!':
				g.state, g.bang = gBang, 0
			case '?':
				g.state, g.prev = gPI, 0
			default:
				g.state, g.quote, g.end, g.prev = gTag, 0, c == '/', c
			}
		case gBang:
			g.bang++
			const cdata = "[CDATA["
			switch {
			case g.bang <= 2 && c == '-' && (g.bang == 1 || g.prev == '-'):
				g.prev = c
				if g.bang == 2 {
					// As encoding/xml, look for --> from here on: <!--> and <!---> open.
					g.state, g.prev, g.prev2 = gComment, 0, 0
				}
			case g.bang <= len(cdata) && c == cdata[g.bang-1]:
				g.prev = c
				if g.bang == len(cdata) {
					g.state, g.prev, g.prev2 = gCDATA, 0, 0
				}
			default:
				return i, partErrorf("part %s holds a DOCTYPE or other declaration, which workbook XML never does", g.part)
			}
		case gComment, gCDATA:
			closer := byte('-')
			if g.state == gCDATA {
				closer = ']'
			}
			if c == '>' && g.prev == closer && g.prev2 == closer {
				g.state, g.n = gText, 0
			}
			g.prev2, g.prev = g.prev, c
		case gPI:
			if c == '>' && g.prev == '?' {
				g.state, g.n = gText, 0
			}
			g.prev = c
		case gTag:
			switch {
			case g.quote != 0:
				if c == g.quote {
					g.quote = 0
				}
			case c == '"' || c == '\'':
				g.quote = c
			case c == '>':
				switch {
				case g.end:
					g.depth--
				case g.prev != '/':
					g.depth++
					if g.depth > g.maxDepth {
						return i, partErrorf("part %s nests elements more than %d deep", g.part, g.maxDepth)
					}
				}
				g.state, g.n = gText, 0
			default:
				g.prev = c
			}
		}
	}
	return len(b), nil
}

func (g *xmlGuard) tooLong() error {
	return partErrorf("part %s holds an XML token (a run of text or a tag) of more than %d bytes", g.part, g.maxToken)
}
