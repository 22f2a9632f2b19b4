package connectors

import (
	"fmt"
	"sort"
	"strings"
)

// DateExpr returns SQL that parses the VARCHAR expression col under the formats, in
// order, to a DATE, or NULL when none fits. Years outside 1900–2199 are refused as
// impossible (a 2-digit year read by %Y lands in year 24).
func DateExpr(col string, formats []string) string {
	parts := make([]string, len(formats))
	for i, f := range formats {
		parts[i] = fmt.Sprintf("try_strptime(%s, %s)", col, Literal(f))
	}
	p := parts[0]
	if len(parts) > 1 {
		p = "coalesce(" + strings.Join(parts, ", ") + ")"
	}
	// Written out twice rather than through a scalar subquery: DuckDB computes the common
	// expression once, while a subquery became a join that was slower and cost the staging
	// statement its order-preserving parallel plan (see Layout.LineExpr).
	return fmt.Sprintf("CASE WHEN year(%[1]s) BETWEEN 1900 AND 2199 THEN CAST(%[1]s AS DATE) END", p)
}

// SwappedFormats returns the formats with numeric day and month exchanged: a value that
// parses only under these is written in US order. Formats without both are skipped.
func SwappedFormats(formats []string) []string {
	var out []string
	for _, f := range formats {
		if strings.Contains(f, "%d") && strings.Contains(f, "%m") {
			s := strings.NewReplacer("%d", "%m", "%m", "%d").Replace(f)
			out = append(out, s)
		}
	}
	return out
}

// MapExpr returns SQL that maps the cleaned (see Clean) VARCHAR expression col through m
// (file value → canonical value; exact match first, then case-insensitive), leaving other
// values lower-cased when lower is set.
func MapExpr(col string, m map[string]string, lower bool) string {
	base := col
	fallback := base
	if lower {
		fallback = "lower(" + base + ")"
	}
	if len(m) == 0 {
		return fallback
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("CASE")
	for _, k := range keys {
		fmt.Fprintf(&b, " WHEN %s = %s THEN %s", base, Literal(strings.Trim(k, TrimSet)), Literal(m[k]))
	}
	seen := map[string]bool{}
	for _, k := range keys {
		lk := strings.ToLower(strings.Trim(k, TrimSet))
		if seen[lk] {
			continue
		}
		seen[lk] = true
		fmt.Fprintf(&b, " WHEN lower(%s) = %s THEN %s", base, Literal(lk), Literal(m[k]))
	}
	fmt.Fprintf(&b, " ELSE %s END", fallback)
	return b.String()
}

// TrimSet is the set of characters Trim strips, for Go code that must agree with it.
const TrimSet = " \t\n\r\u00a0"

// Trim strips the whitespace that real exports carry around values: spaces, tabs, line
// breaks and the no-break space Excel likes. DuckDB's character-set trim is several times
// slower than a look at the ends, so it runs only on values that begin or end with one of
// them (a first character at or below space is enough to look closer).
func Trim(col string) string {
	return fmt.Sprintf("CASE WHEN ascii(%[1]s) <= 32 OR ascii(%[1]s) = 160 OR ends_with(%[1]s, ' ') OR ends_with(%[1]s, chr(9)) "+
		"OR ends_with(%[1]s, chr(10)) OR ends_with(%[1]s, chr(13)) OR ends_with(%[1]s, chr(160)) "+
		"THEN trim(%[1]s, ' ' || chr(9) || chr(10) || chr(13) || chr(160)) ELSE %[1]s END", col)
}

// Clean trims a raw VARCHAR expression and turns an empty result into NULL: the one place
// raw text is cleaned, computed once per column.
func Clean(col string) string {
	return "nullif(" + Trim(col) + ", '')"
}

// IntExpr parses a cleaned integer written as digits, optionally signed and with
// thousands separators ("29,199"); anything else (45.5, 1e2, 0x2D) is NULL, never rounded
// or read in another base.
func IntExpr(col string) string {
	// plain digits, the common case, without a regular expression
	return fmt.Sprintf("CASE WHEN translate(%[1]s, '0123456789', '') = '' THEN TRY_CAST(%[1]s AS BIGINT) "+
		"WHEN regexp_full_match(%[1]s, '[+-]?([0-9]+|[0-9]{1,3}(,[0-9]{3})+)') "+
		"THEN TRY_CAST(replace(%[1]s, ',', '') AS BIGINT) END", col)
}

// SciNotationExpr is true when the VARCHAR expression is a number in the scientific
// notation a spreadsheet shows for a long number (1.23457E+11): the digits are lost, so
// as an id it would merge people.
func SciNotationExpr(col string) string {
	return fmt.Sprintf("regexp_full_match(%s, '[0-9](\\.[0-9]+)?[eE]\\+[0-9]+')", col)
}

// NHSNumberValidExpr is true when the VARCHAR expression is a 10-digit number passing the
// NHS modulus 11 check (spaces and hyphens ignored).
func NHSNumberValidExpr(col string) string {
	d := fmt.Sprintf("regexp_replace(%s, '[ -]', '', 'g')", col)
	var sum []string
	for i := 1; i <= 9; i++ {
		sum = append(sum, fmt.Sprintf("TRY_CAST(substr(%s, %d, 1) AS INTEGER) * %d", d, i, 11-i))
	}
	check := fmt.Sprintf("(11 - ((%s) %% 11))", strings.Join(sum, " + "))
	return fmt.Sprintf("coalesce(regexp_full_match(%s, '[0-9]{10}') AND (CASE %s WHEN 11 THEN 0 ELSE %s END) = TRY_CAST(substr(%s, 10, 1) AS INTEGER), false)",
		d, check, check, d)
}

// TenDigitExpr is true when the VARCHAR expression is 10 digits (spaces, hyphens ignored).
func TenDigitExpr(col string) string {
	return fmt.Sprintf("regexp_full_match(regexp_replace(%s, '[ -]', '', 'g'), '[0-9]{10}')", col)
}

// postcodePattern matches a UK postcode (upper-cased input; the space is optional).
const postcodePattern = `[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}`

// MaskMarkers replace identifiers found in free text (MaskFreeText).
const (
	MaskNHSNumber = "[NHS number]"
	MaskPostcode  = "[postcode]"
)

// MaskFreeText returns SQL replacing what looks like an NHS number (ten digits, grouped
// 3-3-4 or not) or a postcode inside free text by a marker, so that a note typed into a
// category field cannot carry an identifier into the database. Both hold a digit, so
// text without one is passed through untouched; the NHS pattern runs twice because two
// numbers one character apart share the character between them.
func MaskFreeText(e string) string {
	nhs := Literal(`(^|[^0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}([^0-9]|$)`)
	repl := Literal(`\1` + MaskNHSNumber + `\2`)
	masked := e
	for range 2 {
		masked = fmt.Sprintf("regexp_replace(%s, %s, %s, 'g')", masked, nhs, repl)
	}
	masked = fmt.Sprintf("regexp_replace(%s, %s, %s, 'gi')", masked, Literal(`\b`+postcodePattern+`\b`), Literal(MaskPostcode))
	// e is written out again rather than bound in a subquery, which would cost the
	// staging its order-preserving parallel plan (see Layout.LineExpr)
	return fmt.Sprintf("CASE WHEN %s THEN %s ELSE %s END", hasDigit(e), masked, e)
}

// hasDigit is true when the VARCHAR expression holds a digit: cheaper than a regular
// expression on every value.
func hasDigit(e string) string {
	return fmt.Sprintf("strlen(translate(%[1]s, '0123456789', '')) < strlen(%[1]s)", e)
}
