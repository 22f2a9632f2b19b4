// Names and text from data, made safe for the places a report puts them: file names,
// links, and HTML that people read.

package reports

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxPlainName bounds a file name taken from data as it is, and the sanitised part of a
// hashed one, far below any file system's limit (255 bytes on most) whatever the id.
const maxPlainName = 64

var (
	rePlainName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	reUnsafe    = regexp.MustCompile(`[^A-Za-z0-9_-]+`)
)

// reservedNames are file names an id must not take as it is: the index beside the period
// directories, and the device names Windows refuses, since reports are copied to
// analysts' machines.
var reservedNames = map[string]bool{
	"index": true, "con": true, "prn": true, "aux": true, "nul": true,
	"com1": true, "com2": true, "com3": true, "com4": true, "com5": true, "com6": true, "com7": true, "com8": true, "com9": true,
	"lpt1": true, "lpt2": true, "lpt3": true, "lpt4": true, "lpt5": true, "lpt6": true, "lpt7": true, "lpt8": true, "lpt9": true,
}

// fileNames derives a file name (without extension) for each id of one directory. An id
// is its own name when it is 1–64 characters of [A-Za-z0-9_-], is not reserved and
// equals no other id ignoring case (case-insensitive file systems would merge them);
// otherwise the name is the sanitised id and the first 8 hex digits of the id's SHA-256,
// so it depends on the id alone and is the same in every run. Names never clash: if a
// plain id happens to equal another's hashed name, both take a longer hash.
func fileNames(ids []string) map[string]string {
	folded := map[string]map[string]bool{}
	for _, id := range ids {
		f := strings.ToLower(id)
		if folded[f] == nil {
			folded[f] = map[string]bool{}
		}
		folded[f][id] = true
	}
	names := make(map[string]string, len(ids))
	for _, id := range ids {
		if rePlainName.MatchString(id) && len(id) <= maxPlainName && !reservedNames[strings.ToLower(id)] && len(folded[strings.ToLower(id)]) == 1 {
			names[id] = id
		} else {
			names[id] = hashedName(id, 8)
		}
	}
	// A plain id can equal another's hashed name ("SP_01-1a2b3c4d" beside "SP/01"): both
	// then take the full hash, which clashes with nothing (distinct ids have distinct
	// hashes, and it is longer than any plain name).
	byName := map[string][]string{}
	for id, n := range names {
		byName[strings.ToLower(n)] = append(byName[strings.ToLower(n)], id)
	}
	for _, group := range byName {
		if len(group) > 1 {
			for _, id := range group {
				names[id] = hashedName(id, sha256.Size*2)
			}
		}
	}
	return names
}

// hashedName is an id made safe (runs of other characters become "_", at most 64
// characters kept) with a hyphen and the first digits hex digits of its SHA-256.
func hashedName(id string, digits int) string {
	s := reUnsafe.ReplaceAllString(id, "_")
	if len(s) > maxPlainName {
		s = s[:maxPlainName]
	}
	if s == "" {
		s = "_"
	}
	sum := sha256.Sum256([]byte(id))
	return s + "-" + hex.EncodeToString(sum[:])[:digits]
}

// fileName is the name of a single id, such as a period's directory.
func fileName(id string) string { return fileNames([]string{id})[id] }

// href joins path segments as a relative link, each segment escaped, so a name can never
// become another scheme, host or path ("//host/x", "../x", "a?b" all stay one segment).
func href(segments ...string) string {
	out := make([]string, len(segments))
	for i, s := range segments {
		out[i] = url.PathEscape(s)
	}
	return strings.Join(out, "/")
}

// relHref escapes each segment of a slash-separated relative path (as reports_written
// records them).
func relHref(p string) string { return href(strings.Split(p, "/")...) }

// visible shows the characters that change how text around them reads without showing
// themselves (C0 and C1 controls, bidi overrides and isolates, zero-width and other
// format characters, line and paragraph separators) as escapes such as \u202E, and
// invalid UTF-8 as \xFF. Applied to every id, name and reading from data before it
// reaches HTML, so that a hostile id cannot reorder or hide what a reader sees.
func visible(s string) string {
	clean := true
	for i, r := range s {
		if hidden(r) || (r == utf8.RuneError && !validAt(s, i)) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02X`, s[i])
		case hidden(r) && r > 0xFFFF:
			fmt.Fprintf(&b, `\U%08X`, r)
		case hidden(r):
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// validAt reports whether the rune at byte i of s is a real U+FFFD rather than a bad byte.
func validAt(s string, i int) bool {
	_, size := utf8.DecodeRuneInString(s[i:])
	return size > 1
}

// hidden reports whether r is drawn invisibly or changes the reading order of the text
// around it: Cc (C0, DEL, C1), Cf (bidi marks, embeddings, overrides and isolates U+200E,
// U+200F, U+202A–U+202E, U+2066–U+2069, zero-width characters, BOM, tags), Zl and Zp.
func hidden(r rune) bool {
	return unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}
