package model

import (
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// CanonicalSQL is SQL text with its comments left out and each run of whitespace outside
// quotes written as one space: a fingerprint over it changes with anything a statement
// can see, and not when a comment is reworded, a read declared or a model re-indented
// or moved to another file, none of which should force a full rebuild.
func CanonicalSQL(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
			space = true
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				end = len(s) - i - 2
			}
			i += end + 3
			space = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			if c != '\'' && c != '"' {
				b.WriteByte(c)
				continue
			}
			// a quoted literal or identifier, kept as written ('' and "" escape the quote)
			j := i + 1
			for j < len(s) {
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(s))
			b.WriteString(s[i:end])
			i = end - 1
		}
	}
	return b.String()
}

// WriteCanonical writes the canonical text (CanonicalSQL) of each named SQL file of fsys
// to w, a line each: the SQL part of an incremental model's fingerprint.
func WriteCanonical(w io.Writer, fsys fs.FS, names ...string) error {
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("reading %s: %w", name, err)
		}
		if _, err := fmt.Fprintln(w, CanonicalSQL(string(b))); err != nil {
			return err
		}
	}
	return nil
}
