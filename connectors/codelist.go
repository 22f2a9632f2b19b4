package connectors

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// CodelistCode is one code of a codelist under its role (design §3.6).
type CodelistCode struct {
	Role, Code, Term string
}

// Codelist roles the measures read (design §12); any other role is a local one.
const (
	RoleSPReferral = "sp_referral"
	RoleSPDeclined = "sp_declined"
)

// DefaultCodelists are the national social prescribing codes, used for their role when
// the config names no codelist for it.
func DefaultCodelists() []CodelistCode {
	return []CodelistCode{
		{RoleSPReferral, "871731000000106", "Referral to social prescribing service"},
		{RoleSPDeclined, "871711000000103", "Social prescribing declined"},
	}
}

// maxCodelistBytes bounds a codelist file: the largest published codelists run to a few
// thousand codes, so a file this size is not one.
const maxCodelistBytes = 16 << 20

// ReadCodelist reads a codelist CSV in the OpenSAFELY shape: a header naming codeCol and
// termCol (any case; other columns ignored), then a code and its term a row. Every code
// must be a SNOMED CT concept id or a Read v2 / CTV3 code (ValidAnyCode); a code listed
// twice is kept once, with its first term. Errors name the file, line and column, never a
// value.
func ReadCodelist(ctx context.Context, path, role, codeCol, termCol string) ([]CodelistCode, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("codelist %s: %w", role, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() || st.Size() > maxCodelistBytes {
		return nil, &FileError{Path: path, Reason: fmt.Sprintf("codelist %s: not a regular file of at most %d MB; is it a codelist?", role, maxCodelistBytes>>20)}
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		return nil, &FileError{Path: path, Line: 1, Reason: "codelist " + role + ": no header row (want columns " + codeCol + ", " + termCol + ")"}
	}
	ci, ti := -1, -1
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		switch {
		case strings.EqualFold(h, codeCol):
			ci = i
		case strings.EqualFold(h, termCol):
			ti = i
		}
	}
	for _, c := range []struct {
		name string
		i    int
	}{{codeCol, ci}, {termCol, ti}} {
		if c.i < 0 {
			return nil, &FileError{Path: path, Line: 1, Column: c.name, Reason: "codelist " + role + ": column missing from the header"}
		}
	}
	var out []CodelistCode
	seen := map[string]bool{}
	for line := 2; ; line++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &FileError{Path: path, Line: line, Reason: "codelist " + role + ": not a CSV record (" + csvProblem(err) + ")"}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a blank line
		}
		if ci >= len(rec) || ti >= len(rec) {
			return nil, &FileError{Path: path, Line: line, Reason: fmt.Sprintf("codelist %s: %d fields, fewer than the header's", role, len(rec))}
		}
		code := strings.TrimSpace(rec[ci])
		if !ValidAnyCode(code) {
			return nil, &FileError{Path: path, Line: line, Column: codeCol,
				Reason: "codelist " + role + ": not a SNOMED CT concept id (6–18 digits with a valid check digit) or a Read v2 / CTV3 code (5 characters)"}
		}
		if seen[code] {
			continue
		}
		seen[code] = true
		out = append(out, CodelistCode{Role: role, Code: code, Term: strings.TrimSpace(rec[ti])})
	}
	return out, nil
}

// csvProblem is what a CSV parse error says, without the record it quotes.
func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return "unreadable"
}
