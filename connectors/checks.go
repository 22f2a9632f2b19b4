package connectors

import "gonum.org/v1/gonum/mathext"

// USDateCheckSQL returns a query giving the first staged record whose bad date parses
// with day and month swapped: (line, column, value), or no row; "" when no format has a
// day and a month to swap. Such a file is refused whole: socrx never guesses US order.
func USDateCheckSQL(formats []string) string {
	swapped := SwappedFormats(formats)
	if len(swapped) == 0 {
		return ""
	}
	reason, column, value := BadFields("_bad")
	return sqlTemplate("us_date_check", struct{ Reason, Column, Value, BadDate, Swapped string }{
		reason, column, value, Literal(ReasonBadDate), DateExpr(Clean("val"), swapped)})
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
// aggregates over one scan, DuckDB evaluated them on every row.)
func IdentifierCheckSQL(cols []string) string {
	type column struct{ Name, ID string }
	columns := make([]column, len(cols))
	for i, c := range cols {
		columns[i] = column{Name: Literal(c), ID: Ident(c)}
	}
	return sqlTemplate("identifier_check", struct {
		Columns []column
		Valid   string
	}{columns, NHSNumberValidExpr("v")})
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
