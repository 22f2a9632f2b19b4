package connectors

import (
	"fmt"
	"strings"
	"time"
)

// The row rules of the staging statement (StageSQL), as the branches of a CASE in the
// order they are checked: the first a record breaks is why it is quarantined.

// reservedSchemeIDs are the scheme ids the marts use for all schemes together; an
// extract's scheme of that name would be counted twice (any case).
func reservedSchemeIDs() []string { return []string{"ALL"} }

// spreadsheetErrors are the error values Excel and LibreOffice Calc write into a cell
// (and into a CSV saved from one), as SQL string literals.
const spreadsheetErrors = `'#N/A', '#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#GETTING_DATA', ` +
	`'#SPILL!', '#CALC!', '#FIELD!', '#BLOCKED!', '#CONNECT!', '#BUSY!', '#UNKNOWN!', '#EXTERNAL!'`

// rowRules returns a kind's row rules: missing values, then for referrals an identifier
// where a code belongs, each column's type and range, dates in the future, and for
// referrals the rules across columns.
func rowRules(kind string, m Mapping, logical time.Time) []string {
	contract := Contract(kind)
	var r ruleList
	for _, c := range contract {
		r.missing(c)
	}
	if kind == "referrals" {
		r.misplacedCodes()
	}
	for _, c := range contract {
		r.typed(c)
	}
	day := Literal(logical.Format("2006-01-02")) + "::DATE"
	for _, c := range contract {
		if c.Type == Date {
			r.add(fmt.Sprintf("%s > %s", Ident(c.Name), day), ReasonFutureDate, c.Name, Ident("r_"+c.Name))
		}
	}
	switch kind {
	case "referrals":
		r.referral(m.Schemes)
	case "outcomes":
		r.outcome()
	case "gp_events":
		r.add("NOT "+ValidCodeSQL("code", "code_system"), ReasonBadCode, "code", "r_code")
		r.add("value IS NOT NULL AND TRY_CAST(replace(value, ',', '') AS DOUBLE) IS NULL", ReasonBadNumber, "value", "r_value")
	case "gp_patients":
		r.add("registered_to < registered_from", ReasonEndedBefore, "registered_to", "r_registered_to")
		r.add("ethnicity_code IS NOT NULL AND NOT "+ValidCodeSQL("ethnicity_code", "NULL"), ReasonBadCode, "ethnicity_code", "r_ethnicity_code")
	}
	return r
}

// outcome: a score outside its measure's range (design §3.5).
func (r *ruleList) outcome() {
	var b strings.Builder
	b.WriteString("CASE measure")
	for _, o := range OutcomeRanges() {
		fmt.Fprintf(&b, " WHEN %s THEN score NOT BETWEEN %d AND %d", Literal(o.Measure), o.Min, o.Max)
	}
	b.WriteString(" ELSE false END")
	r.add(b.String(), ReasonOutOfRange, "score", "r_score")
}

// ruleList is row rules: WHEN the condition THEN the broken rule (BadExpr), on the
// parsed columns (named as in the contract) and their raw text (r_ and the name).
type ruleList []string

func (r *ruleList) add(cond, reason, column, value string) {
	*r = append(*r, fmt.Sprintf("WHEN %s THEN %s", cond, BadExpr(reason, column, value)))
}

// filled says whether raw text holds anything: plain trim() is an order of magnitude
// faster than Clean's character-set trim, and a value of only tabs or no-break spaces
// still fails to parse, so its row is quarantined either way.
func filled(raw string) string { return fmt.Sprintf("trim(coalesce(%s, '')) <> ''", raw) }

// literals lists values as SQL string literals, for list_contains.
func literals(values []string) string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = Literal(v)
	}
	return strings.Join(out, ", ")
}

// missing: a required column without a value. A text value that cleans to nothing is
// missing; a date or number is missing only when its raw text is empty too (else it is
// badly written, a rule of typed).
func (r *ruleList) missing(c Column) {
	if !c.Required || c.Derived != "" {
		return
	}
	cond := Ident(c.Name) + " IS NULL"
	if c.Type != Text && c.Type != Enum {
		cond += " AND NOT " + filled(Ident("r_"+c.Name))
	}
	r.add(cond, ReasonMissing, c.Name, "NULL::VARCHAR")
}

// misplacedCodes: a referral's scheme id that stands for all schemes, and a postcode
// where an area code belongs (an identifier: never stored, not even in quarantine).
func (r *ruleList) misplacedCodes() {
	r.add(fmt.Sprintf("list_contains([%s], upper(scheme_id))", literals(reservedSchemeIDs())), ReasonReservedID, "scheme_id", "r_scheme_id")
	r.add(fmt.Sprintf("strlen(lsoa_code) BETWEEN 5 AND 8 AND regexp_full_match(lsoa_code, '%s')", postcodePattern),
		ReasonPostcode, "lsoa_code", Literal(MaskPostcode))
}

// typed: a value that does not parse as its column's type, or falls outside its range or
// set.
func (r *ruleList) typed(c Column) {
	if c.Derived != "" {
		return // made from checked columns
	}
	p, raw := Ident(c.Name), Ident("r_"+c.Name)
	switch c.Type {
	case Date:
		r.add(p+" IS NULL AND "+filled(raw), ReasonBadDate, c.Name, raw)
	case Int:
		r.add(p+" IS NULL AND "+filled(raw), ReasonBadInteger, c.Name, raw)
		r.add(fmt.Sprintf("%s NOT BETWEEN %d AND %d", p, c.Min, c.Max), ReasonOutOfRange, c.Name, raw)
	case Month:
		r.add(p+" IS NULL AND "+filled(raw), ReasonBadMonth, c.Name, raw)
	case Text:
		if c.Free {
			return
		}
		// a failed lookup in the workbook the extract came from (#N/A): as an id it would
		// merge every such row into one person, referral or practice
		r.add(fmt.Sprintf("starts_with(%s, '#') AND list_contains([%s], upper(%s))", p, spreadsheetErrors, p),
			ReasonSpreadsheetErr, c.Name, raw)
		// a long number a spreadsheet showed as 1.23457E+11: its digits are gone (the '+'
		// first, as a regular expression on every id is costly)
		r.add(fmt.Sprintf("contains(%s, '+') AND %s", p, SciNotationExpr(p)), ReasonSpreadsheetErr, c.Name, raw)
	case Enum:
		// list_contains, not IN: DuckDB plans an IN list of five or more as a join, which
		// is slower and not order-preserving (see Layout.LineExpr).
		r.add(fmt.Sprintf("%s IS NOT NULL AND NOT list_contains([%s], %s)", p, literals(c.Allowed), p), ReasonUnknownCode, c.Name, raw)
	}
}

// referral: a scheme that is not configured (when schemes are), a referral closed before
// it was made, a birth month after it.
func (r *ruleList) referral(schemes []string) {
	if len(schemes) > 0 {
		r.add(fmt.Sprintf("NOT list_contains([%s], scheme_id)", literals(schemes)), ReasonUnknownScheme, "scheme_id", "r_scheme_id")
	}
	r.add("closed_date < referral_date", ReasonClosedBefore, "closed_date", "r_closed_date")
	r.add("birth_month IS NOT NULL AND birth_month > strftime(referral_date, '%Y-%m')", ReasonOutOfRange, "birth_month", "r_birth_month")
}
