// Package connectors presents extract files to DuckDB: it finds a file's layout (header,
// line endings, encoding marks) and returns the SQL that reads it with every column typed
// explicitly as VARCHAR, so that nothing is sniffed and an empty column never changes type.
// Parsing and validation of values then happen in SQL, where bad rows can be quarantined.
package connectors

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Layout is what socrx needs to know about a file before DuckDB reads it.
type Layout struct {
	Path      string
	Format    string   // csv | parquet | table (an Arrow source already appended to Table)
	Table     string   // the temp table holding an Arrow source's rows (Format table)
	Header    []string // column names as in the file
	NewLine   string   // \n, \r\n or \r (csv)
	Delimiter byte
}

// FileError is a problem with a whole file: the file is refused and nothing of it loads.
type FileError struct {
	Path   string
	Line   int // 0 when not tied to a line
	Column string
	Reason string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %s", e.Column)
	}
	b.WriteString(": ")
	// one line, always: parsers' errors (and errors.Join) may carry newlines
	b.WriteString(strings.Join(strings.FieldsFunc(e.Reason, func(r rune) bool { return r == '\n' || r == '\r' }), "; "))
	return b.String()
}

// maxHeaderBytes bounds how far we look for the end of the header record.
const maxHeaderBytes = 1 << 20

// Expand resolves a path or glob to the sorted list of files it names. A FIFO, device or
// socket among them is refused (reading one would block or never end); directories a
// glob matches are passed over.
func Expand(pattern string) ([]string, error) {
	matches := []string{pattern}
	if strings.ContainsAny(pattern, "*?[") {
		var err error
		if matches, err = filepath.Glob(pattern); err != nil {
			return nil, fmt.Errorf("expanding %s: %w", pattern, err)
		}
	}
	var files []string
	for _, m := range matches {
		st, err := os.Stat(m)
		switch {
		case errors.Is(err, os.ErrNotExist):
			continue // a dangling link, or a plain path whose file is not there (yet)
		case err != nil:
			return nil, fmt.Errorf("checking %s: %w", m, err)
		case st.IsDir():
			continue
		case !st.Mode().IsRegular():
			return nil, &FileError{Path: m, Reason: "not a regular file (a FIFO, device or socket): socrx reads extract files only"}
		}
		files = append(files, m)
	}
	sort.Strings(files)
	return files, nil
}

// SniffCSV reads the header record of a CSV file and its line-ending style. It reads at
// most maxHeaderBytes, never the whole file.
func SniffCSV(path string, delim byte) (Layout, error) {
	f, err := os.Open(path)
	if err != nil {
		return Layout{}, fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(bufio.NewReader(f), maxHeaderBytes))
	if err != nil {
		return Layout{}, fmt.Errorf("reading %s: %w", path, err)
	}
	return sniffHeader(path, head, delim)
}

// sniffHeader parses the first record of head (the first bytes of a file).
func sniffHeader(path string, head []byte, delim byte) (Layout, error) {
	l := Layout{Path: path, Format: "csv", Delimiter: delim}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(head)) == 0 {
		return l, &FileError{Path: path, Reason: "file is empty (no header row)"}
	}
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		return l, &FileError{Path: path, Line: 1, Reason: "file is UTF-16; save the extract as UTF-8"}
	}
	end, nl := headerEnd(head)
	if end < 0 {
		if len(head) >= maxHeaderBytes {
			return l, &FileError{Path: path, Line: 1, Reason: "header row longer than 1 MiB or an unclosed quote"}
		}
		end, nl = len(head), "\n"
	}
	rec := head[:end]
	if bytes.IndexByte(rec, 0) >= 0 {
		return l, &FileError{Path: path, Line: 1, Reason: nulReason(1)}
	}
	if !utf8.Valid(rec) {
		return l, &FileError{Path: path, Line: 1, Reason: "header is not valid UTF-8; save the extract as UTF-8"}
	}
	r := csv.NewReader(bytes.NewReader(rec))
	r.Comma = rune(delim)
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	fields, err := r.Read()
	if err != nil {
		return l, &FileError{Path: path, Line: 1, Reason: fmt.Sprintf("unreadable header: %v", err)}
	}
	seen := map[string]bool{}
	dataLike := false
	for _, h := range fields {
		dataLike = dataLike || LooksLikeData(h)
	}
	for i, h := range fields {
		h = strings.TrimSpace(h)
		if h == "" {
			h = fmt.Sprintf("column%d", i+1)
		}
		if seen[strings.ToLower(h)] {
			if dataLike {
				// a data row in the header's place: name the position, not the value
				return l, &FileError{Path: path, Line: 1, Column: fmt.Sprintf("%d", i+1),
					Reason: "header repeats a column name (it looks like a data row: is the header row missing?)"}
			}
			return l, &FileError{Path: path, Line: 1, Column: h, Reason: "header repeats a column name"}
		}
		seen[strings.ToLower(h)] = true
		fields[i] = h
	}
	l.Header = fields
	l.NewLine = nl
	return l, nil
}

// nulReason explains a NUL byte in a text file, by where it is.
func nulReason(record int64) string {
	if record <= 1 {
		return "file holds NUL bytes: not a text CSV (UTF-16 or binary?)"
	}
	return "a NUL byte in the record: not text (binary data, or a file joined from two encodings?)"
}

// FileSum is what one streaming read of a file gives: its SHA-256 and size, and for a
// text file the record that holds its first NUL byte (1 = the header; 0 when none does).
type FileSum struct {
	SHA256    string
	Size      int64
	NULRecord int64
}

// SumFile hashes a file in one streaming read. With text set (a CSV), it also finds the
// first NUL byte anywhere in the file, which DuckDB's reader would load into a value,
// and numbers its record with a second read up to it; a file that starts with a UTF-16
// byte-order mark is left to the header check, which says so.
func SumFile(path string, text bool) (FileSum, error) {
	var fs FileSum
	f, err := os.Open(path)
	if err != nil {
		return fs, fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	buf := make([]byte, 1<<20)
	nulAt := int64(-1)
	for first := true; ; first = false {
		n, err := io.ReadFull(f, buf)
		chunk := buf[:n]
		h.Write(chunk)
		if first && (bytes.HasPrefix(chunk, []byte{0xff, 0xfe}) || bytes.HasPrefix(chunk, []byte{0xfe, 0xff})) {
			text = false
		}
		if text && nulAt < 0 {
			if i := bytes.IndexByte(chunk, 0); i >= 0 {
				nulAt = fs.Size + int64(i)
			}
		}
		fs.Size += int64(n)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return fs, fmt.Errorf("reading %s: %w", path, err)
		}
	}
	fs.SHA256 = hex.EncodeToString(h.Sum(nil))
	if nulAt >= 0 {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fs, fmt.Errorf("reading %s: %w", path, err)
		}
		rec, err := countRecords(bufio.NewReader(io.LimitReader(f, nulAt)))
		if err != nil {
			return fs, fmt.Errorf("reading %s: %w", path, err)
		}
		fs.NULRecord = rec
	}
	return fs, nil
}

// NULError is the file error for a NUL byte found by SumFile.
func NULError(path string, record int64) error {
	return &FileError{Path: path, Line: int(record), Reason: nulReason(record)}
}

// countRecords numbers the record being read when r ends: 1 plus the record terminators
// (LF, CRLF or a lone CR) outside quoted fields.
func countRecords(r io.ByteReader) (int64, error) {
	rec := int64(1)
	inQuote, cr := false, false
	for {
		b, err := r.ReadByte()
		if errors.Is(err, io.EOF) {
			return rec, nil
		}
		if err != nil {
			return 0, err
		}
		switch {
		case b == '"':
			inQuote = !inQuote
		case inQuote:
		case b == '\n':
			if !cr {
				rec++
			}
		case b == '\r':
			rec++
		}
		cr = b == '\r' && !inQuote
	}
}

// headerEnd finds the end of the first record outside quotes and its line terminator.
func headerEnd(b []byte) (int, string) {
	inQuote := false
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote {
				return i, "\n"
			}
		case '\r':
			if !inQuote {
				if i+1 < len(b) && b[i+1] == '\n' {
					return i, "\r\n"
				}
				return i, "\r"
			}
		}
	}
	return -1, ""
}

// ReadSQL returns a DuckDB relation expression that reads the file with the header's
// columns all typed VARCHAR (never sniffed), plus a _line column holding the record's
// 1-based number in the file (header = 1) where the reader can supply it.
func (l Layout) ReadSQL() string {
	if l.Format == "table" {
		return Ident(l.Table)
	}
	if l.Format == "parquet" {
		return fmt.Sprintf("read_parquet(%s, file_row_number = true)", Literal(l.Path))
	}
	cols := make([]string, len(l.Header))
	for i, h := range l.Header {
		cols[i] = Literal(h) + ": 'VARCHAR'"
	}
	// DuckDB's reader accepts LF, CRLF and CR-only endings itself when new_line is unset.
	return fmt.Sprintf("read_csv(%s, header = true, auto_detect = false, delim = %s, quote = '\"', escape = '\"', "+
		"columns = {%s}, strict_mode = true, null_padding = false, max_line_size = 4194304)",
		Literal(l.Path), Literal(string(l.Delimiter)), strings.Join(cols, ", "))
}

// LineExpr is the SQL for a record's 1-based number in the file (header = 1), to select
// alongside the columns of ReadSQL. For CSV it is row_number() OVER (), which DuckDB runs
// as a streaming window: correct, but it makes the whole statement single-threaded. So
// the referral and attendance files are staged without it when DuckDB plans the staging
// as an order-preserving parallel insert (BATCH_CREATE_TABLE_AS, see OrderedPlan): the
// staged table's rowids are then in file order and number the records. A plan holding a
// join (a scalar subquery, an IN list of five or more) is not order-preserving, and its
// rowids were measured out of file order; such a plan falls back to this expression.
// Parquet carries row numbers.
func (l Layout) LineExpr() string {
	if l.Format == "table" {
		return "_line"
	}
	if l.Format == "parquet" {
		return "file_row_number + 2"
	}
	return "row_number() OVER () + 1"
}

// Literal quotes s as a SQL string literal. A NUL byte would end the statement early in
// the C parser, so it is spelled chr(0).
func Literal(s string) string {
	parts := strings.Split(s, "\x00")
	for i, p := range parts {
		parts[i] = "'" + strings.ReplaceAll(p, "'", "''") + "'"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " || chr(0) || ") + ")"
}

// Ident quotes s as a SQL identifier.
func Ident(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
