package connectors

import (
	"fmt"
	"strings"

	"gonum.org/v1/gonum/mathext"
)

// USDateCheckSQL returns a query giving the first staged record whose bad date parses
// with day and month swapped: (line, column, value), or no row. Such a file is refused
// whole: socrx never guesses US order.
func USDateCheckSQL(formats []string) string {
	swapped := SwappedFormats(formats)
	if len(swapped) == 0 {
		return ""
	}
	reason, column, value := BadFields("_bad")
	return fmt.Sprintf(`SELECT _line, %s, %s FROM stg
WHERE %s = %s AND %s IS NOT NULL ORDER BY _line LIMIT 1`, column, value, reason, Literal(ReasonBadDate), DateExpr(Clean(value), swapped))
}

// IdentifierCheckSQL returns a query over view stg giving, for each of the id columns
// that has any, a row (column, ten_digit, passing): the number of distinct ten-digit
// values (spaces and hyphens removed) and how many of them pass the NHS modulus 11 check
// (see NHSNumberColumn). Repeated values count once: a worker seen on a thousand rows is
// one id.
//
// Each column is scanned on its own, and only values that could hold ten digits once
// spaces and hyphens are stripped (long enough, starting with one of those) reach the
// regular expressions: on a column of ids like P00012345 they never run. (As filtered
// aggregates over one scan, DuckDB evaluated them on every row: 20 s of a 10M-row file.)
func IdentifierCheckSQL(cols []string) string {
	var parts []string
	for _, c := range cols {
		id := Ident(c)
		parts = append(parts, fmt.Sprintf(`SELECT DISTINCT %s AS col, regexp_replace(%s, '[ -]', '', 'g') AS v FROM stg
    WHERE strlen(%s) >= 10 AND %s[1] IN ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-')`, Literal(c), id, id, id))
	}
	return fmt.Sprintf(`SELECT col, count(*), count(*) FILTER (WHERE %s)
FROM (
    %s
) WHERE regexp_full_match(v, '[0-9]{10}') GROUP BY col`, NHSNumberValidExpr("v"), strings.Join(parts, "\n    UNION ALL\n    "))
}

// nhsNumberAlpha is the chance below which a column's share of values passing the
// modulus 11 check is taken as proof of NHS numbers (design §3.1).
const nhsNumberAlpha = 1e-6

// NHSNumberColumn says whether k of n distinct ten-digit values passing the modulus 11
// check mark a column of NHS numbers: random ten-digit ids pass about 1 time in 11, so
// the column is refused when P(X ≥ k) < 1e-6 for X ~ Binomial(n, 1/11). A share test
// (half passing, say) let 40% NHS numbers among pseudonyms through; this one refuses
// them once there are a few dozen, and never a column of random ids but by a one in a
// million chance.
func NHSNumberColumn(k, n int64) bool {
	if k <= 0 || n <= 0 || k > n {
		return false
	}
	// P(X ≥ k) = I_p(k, n − k + 1), the regularised incomplete beta function.
	return mathext.RegIncBeta(float64(k), float64(n-k+1), 1.0/11) < nhsNumberAlpha
}
