package connectors

import (
	"fmt"
	"regexp"
	"strings"
)

// The Verhoeff dihedral-group tables (multiplication d, permutation p). SNOMED CT
// concept ids end in a Verhoeff check digit; the same tables feed the Go check and the
// staging SQL, so the two cannot drift apart.
func verhoeffD() [10][10]int {
	return [10][10]int{
		{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 0, 6, 7, 8, 9, 5},
		{2, 3, 4, 0, 1, 7, 8, 9, 5, 6}, {3, 4, 0, 1, 2, 8, 9, 5, 6, 7},
		{4, 0, 1, 2, 3, 9, 5, 6, 7, 8}, {5, 9, 8, 7, 6, 0, 4, 3, 2, 1},
		{6, 5, 9, 8, 7, 1, 0, 4, 3, 2}, {7, 6, 5, 9, 8, 2, 1, 0, 4, 3},
		{8, 7, 6, 5, 9, 3, 2, 1, 0, 4}, {9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
	}
}

func verhoeffP() [8][10]int {
	// row i is the permutation σ applied i times, σ = (1 5 7 6 2 8 3 0 9 4) as Verhoeff
	// gives it: derived rather than typed out, so no row can be mistyped
	sigma := [10]int{1, 5, 7, 6, 2, 8, 3, 0, 9, 4}
	var p [8][10]int
	for j := range 10 {
		p[0][j] = j
	}
	for i := 1; i < 8; i++ {
		for j := range 10 {
			p[i][j] = sigma[p[i-1][j]]
		}
	}
	return p
}

// Verhoeff says whether a string of digits ends in a valid Verhoeff check digit; false
// for an empty string or any non-digit.
func Verhoeff(s string) bool {
	if s == "" {
		return false
	}
	d, p := verhoeffD(), verhoeffP()
	c := 0
	for i := 0; i < len(s); i++ {
		ch := s[len(s)-1-i]
		if ch < '0' || ch > '9' {
			return false
		}
		c = d[c][p[i%8][ch-'0']]
	}
	return c == 0
}

// snomedPattern is the shape of a SNOMED CT concept id: 6 to 18 digits.
const snomedPattern = `[0-9]{6,18}`

// readPattern is the shape of a Read v2 or CTV3 code: five characters, Read v2 codes
// padded with dots.
const readPattern = `[A-Za-z0-9.]{5}`

var (
	snomedRE = regexp.MustCompile(`^` + snomedPattern + `$`)
	readRE   = regexp.MustCompile(`^` + readPattern + `$`)
)

// ValidCode says whether code is a valid code of the system (snomed, read2, ctv3; ""
// reads as snomed).
func ValidCode(code, system string) bool {
	switch system {
	case "read2", "ctv3":
		return readRE.MatchString(code)
	case "", "snomed":
		return snomedRE.MatchString(code) && Verhoeff(code)
	}
	return false
}

// ValidAnyCode says whether code is a SNOMED CT concept id or has the shape of a Read v2
// or CTV3 code: a codelist row carries no code system.
func ValidAnyCode(code string) bool {
	return ValidCode(code, "snomed") || ValidCode(code, "read2")
}

// verhoeffSQL returns SQL true when the digits in expr (a VARCHAR known to hold only
// digits) end in a valid Verhoeff check digit: the tables as flat lists, folded from the
// last digit.
func verhoeffSQL(expr string) string {
	var d, p []string
	for _, row := range verhoeffD() {
		for _, v := range row {
			d = append(d, fmt.Sprint(v))
		}
	}
	for _, row := range verhoeffP() {
		for _, v := range row {
			p = append(p, fmt.Sprint(v))
		}
	}
	return fmt.Sprintf("list_reduce(list_transform(range(strlen(%[1]s)), lambda i: [%[2]s][(i %% 8) * 10 + ascii(%[1]s[strlen(%[1]s) - i]) - 48 + 1]), "+
		"lambda c, v: [%[3]s][c * 10 + v + 1], 0) = 0", expr, strings.Join(p, ", "), strings.Join(d, ", "))
}

// ValidCodeSQL returns SQL true when the code expression is valid in the system
// expression's code system (NULL reads as snomed), as ValidCode.
func ValidCodeSQL(code, system string) string {
	return fmt.Sprintf("CASE WHEN coalesce(%[2]s, 'snomed') = 'snomed' THEN "+
		"CASE WHEN regexp_full_match(%[1]s, '%[3]s') THEN %[4]s ELSE false END "+
		"ELSE regexp_full_match(%[1]s, '%[5]s') END", code, system, snomedPattern, verhoeffSQL(code), readPattern)
}
