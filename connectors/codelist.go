package connectors

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// CodelistCode is one code of a codelist under its role (design §3.6). Category is the
// code's category for a role that has them (ethnicity: the NHS ethnic category letter),
// else empty.
type CodelistCode struct {
	Role, Code, Term, Category string
}

// Codelist roles the measures read (design §12, §3.7); any other role is a local one.
const (
	RoleSPReferral = "sp_referral"
	RoleSPDeclined = "sp_declined"
	RoleEthnicity  = "ethnicity"
)

// DefaultCodelists are the national social prescribing codes, used for their role when
// the config names no codelist for it.
func DefaultCodelists() []CodelistCode {
	return []CodelistCode{
		{Role: RoleSPReferral, Code: "871731000000106", Term: "Referral to social prescribing service"},
		{Role: RoleSPDeclined, Code: "871711000000103", Term: "Social prescribing declined"},
	}
}

// ethnicCategories are the NHS ethnic category codes (Z not stated, 99 not known), as
// the extract contract takes them (§3.1).
var ethnicCategories = []string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"}

// grouping16 is OpenSAFELY's Grouping_16 (1 White British … 16 any other ethnic group)
// as NHS ethnic category letters: the 16 categories of the 2001 census in the same order.
var grouping16 = []string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S"}

// EthnicCategory normalises an ethnicity codelist's category to the NHS ethnic category
// code: the code itself in any case (A–H, J–N, P, R, S, Z, 99), or OpenSAFELY's
// Grouping_16 number 1–16 (leading zeros allowed). ok is false for anything else.
func EthnicCategory(s string) (letter string, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	for _, c := range ethnicCategories {
		if s == c {
			return c, true
		}
	}
	if s == "" || len(s) > 4 || strings.Trim(s, "0123456789") != "" {
		return "", false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > len(grouping16) {
		return "", false
	}
	return grouping16[n-1], true
}

// codelistCategories normalises the category of each role whose codelist has one.
var codelistCategories = map[string]struct {
	normalise func(string) (string, bool)
	want      string // what the column must hold, for the error
}{
	RoleEthnicity: {EthnicCategory, "an NHS ethnic category (A–H, J–N, P, R, S, Z or 99) or an OpenSAFELY Grouping_16 number (1–16)"},
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
	return ReadCategorisedCodelist(ctx, path, role, codeCol, termCol, "")
}

// ReadCategorisedCodelist is ReadCodelist with, when categoryCol is not empty, each
// code's category read from that column and normalised for the role (ethnicity:
// EthnicCategory). A role without categories refuses a category column, and a row whose
// category is not one of the role's is an error naming the file, line and column, never
// the value.
func ReadCategorisedCodelist(ctx context.Context, path, role, codeCol, termCol, categoryCol string) ([]CodelistCode, error) {
	cat, categorised := codelistCategories[role]
	if categoryCol != "" && !categorised {
		return nil, fmt.Errorf("codelist %s: only the %s codelist takes a category column", role, RoleEthnicity)
	}
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
	ci, ti, ki := -1, -1, -1
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		switch {
		case strings.EqualFold(h, codeCol):
			ci = i
		case strings.EqualFold(h, termCol):
			ti = i
		case categoryCol != "" && strings.EqualFold(h, categoryCol):
			ki = i
		}
	}
	cols := []struct {
		name string
		i    int
	}{{codeCol, ci}, {termCol, ti}}
	if categoryCol != "" {
		cols = append(cols, struct {
			name string
			i    int
		}{categoryCol, ki})
	}
	for _, c := range cols {
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
		if ci >= len(rec) || ti >= len(rec) || ki >= len(rec) {
			return nil, &FileError{Path: path, Line: line, Reason: fmt.Sprintf("codelist %s: %d fields, fewer than the header's", role, len(rec))}
		}
		code := strings.TrimSpace(rec[ci])
		if !ValidAnyCode(code) {
			return nil, &FileError{Path: path, Line: line, Column: codeCol,
				Reason: "codelist " + role + ": not a SNOMED CT concept id (6–18 digits with a valid check digit) or a Read v2 / CTV3 code (5 characters)"}
		}
		category := ""
		if ki >= 0 {
			var ok bool
			if category, ok = cat.normalise(rec[ki]); !ok {
				return nil, &FileError{Path: path, Line: line, Column: categoryCol,
					Reason: "codelist " + role + ": not " + cat.want}
			}
		}
		if seen[code] {
			continue
		}
		seen[code] = true
		out = append(out, CodelistCode{Role: role, Code: code, Term: strings.TrimSpace(rec[ti]), Category: category})
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
