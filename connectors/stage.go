package connectors

import (
	"fmt"
	"strings"
	"time"

	"gonum.org/v1/gonum/mathext"
)

// Quarantine reasons. They are the contract between ingest, the quarantine table and
// anyone who reads it; keep them stable.
const (
	ReasonMissing         = "missing_value"
	ReasonBadDate         = "bad_date"
	ReasonBadInteger      = "bad_integer"
	ReasonBadMonth        = "bad_birth_month"
	ReasonOutOfRange      = "out_of_range"
	ReasonUnknownCode     = "unknown_code"
	ReasonFutureDate      = "future_date"
	ReasonClosedBefore    = "closed_before_referral"
	ReasonDuplicateID     = "duplicate_id"
	ReasonOrphan          = "orphan_attendance"
	ReasonBeforeReferral  = "before_referral"
	ReasonPersonMismatch  = "person_mismatch"
	ReasonIDOtherSource   = "id_from_other_source"
	ReasonBadCount        = "bad_count"
	ReasonBadDeprivation  = "bad_deprivation_value"
	ReasonUnallocatedLSOA = "unallocated_lsoa"
	ReasonSpreadsheetErr  = "spreadsheet_error"
	ReasonReservedID      = "reserved_id"
	ReasonUnknownScheme   = "unknown_scheme"
	ReasonPostcode        = "postcode_in_lsoa"
	// ReasonReferralQuarantined: an attendance whose referral was itself quarantined. It
	// is not the attendance file's fault, so it does not count towards that file's
	// rejected share (ingest.max_rejected_share).
	ReasonReferralQuarantined = "referral_quarantined"
)

// ReservedSchemeIDs are the scheme ids the marts use for all schemes together; an
// extract's scheme of that name would be counted twice (any case).
var reservedSchemeIDs = []string{"ALL"}

// postcodePattern matches a UK postcode (upper-cased input; the space is optional).
const postcodePattern = `[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}`

// MaskMarkers replace identifiers found in free text (MaskFreeText).
const (
	MaskNHSNumber = "[NHS number]"
	MaskPostcode  = "[postcode]"
)

// spreadsheetErrors are the error values Excel and LibreOffice Calc write into a cell
// (and into a CSV saved from one), as SQL string literals.
const spreadsheetErrors = `'#N/A', '#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#GETTING_DATA', ` +
	`'#SPILL!', '#CALC!', '#FIELD!', '#BLOCKED!', '#CONNECT!', '#BUSY!', '#UNKNOWN!', '#EXTERNAL!'`

// A broken rule travels as one VARCHAR, _bad: reason, column and value joined by the unit
// separator, the value left off when it is NULL (BadExpr, BadFields). As a struct of three
// strings it took 21 bytes of every staged row, NULL or not, and this one 6: the staged
// 48M attendances of the 5M-referral bench take 4.0 GB instead of 4.4, most of it spilled.
const badSep = "chr(31)"

// BadExpr returns SQL encoding a broken rule (reason and column are constants, value an
// expression, NULL when there is no value to show).
func BadExpr(reason, column, value string) string {
	return fmt.Sprintf("concat_ws(%s, %s, %s, %s)", badSep, Literal(reason), Literal(column), value)
}

// BadFields returns SQL for the reason, column and value of the rule encoded in b (an
// expression, evaluated more than once). Reason and column are ASCII words, so the value
// starts at the byte, and so the character, after the second separator.
func BadFields(b string) (reason, column, value string) {
	reason = fmt.Sprintf("split_part(%s, %s, 1)", b, badSep)
	column = fmt.Sprintf("split_part(%s, %s, 2)", b, badSep)
	head := fmt.Sprintf("strlen(%s) + strlen(%s) + 1", reason, column)
	value = fmt.Sprintf("CASE WHEN strlen(%s) > %s THEN %s[%s + 2:] END", b, head, b, head)
	return reason, column, value
}

// StageSQL returns a statement creating TEMP TABLE table straight from the file's
// reader (one pass): one row per record with every contract column parsed to its type,
// and _bad, the first row-level rule the record breaks (BadExpr; its value is the raw
// text). Set-level rules (duplicates, orphans) come after, in SetRulesSQL. Records carry
// _line unless byRowid: then the table must be created in file order and StagedView
// numbers records by rowid (see Layout.LineExpr).
func StageSQL(kind string, l Layout, cols map[string]string, m Mapping, logical time.Time, table string, byRowid bool) string {
	contract := Contract(kind)
	var raw, parsed []string
	if !byRowid {
		raw = append(raw, l.LineExpr()+" AS _line")
	}
	for _, c := range contract {
		r := "NULL::VARCHAR"
		if h, ok := cols[c.Name]; ok {
			r = "CAST(" + Ident(h) + " AS VARCHAR)"
		}
		raw = append(raw, fmt.Sprintf("%s AS %s", r, Ident("r_"+c.Name)))
		parsed = append(parsed, fmt.Sprintf("%s AS %s", parseExpr(c, Clean(Ident("r_"+c.Name)), m), Ident(c.Name)), Ident("r_"+c.Name))
	}
	// Whether the raw text holds anything: plain trim() is an order of magnitude faster than
	// Clean's character-set trim, and a value of only tabs or no-break spaces still fails to
	// parse, so its row is quarantined either way.
	filled := func(r string) string { return fmt.Sprintf("trim(coalesce(%s, '')) <> ''", r) }
	day := Literal(logical.Format("2006-01-02")) + "::DATE"
	var rules []string
	rule := func(cond, reason, col, value string) {
		rules = append(rules, fmt.Sprintf("WHEN %s THEN %s", cond, BadExpr(reason, col, value)))
	}
	for _, c := range contract {
		if c.Required {
			cond := Ident(c.Name) + " IS NULL"
			if c.Type != Text && c.Type != Enum {
				cond += " AND NOT " + filled(Ident("r_"+c.Name))
			}
			rule(cond, ReasonMissing, c.Name, "NULL::VARCHAR")
		}
	}
	if kind == "referrals" {
		reserved := make([]string, len(reservedSchemeIDs))
		for i, id := range reservedSchemeIDs {
			reserved[i] = Literal(id)
		}
		rule(fmt.Sprintf("list_contains([%s], upper(scheme_id))", strings.Join(reserved, ", ")), ReasonReservedID, "scheme_id", "r_scheme_id")
		// a postcode is an identifier where an area code belongs: never stored, not even
		// in quarantine
		rule(fmt.Sprintf("strlen(lsoa_code) BETWEEN 5 AND 8 AND regexp_full_match(lsoa_code, '%s')", postcodePattern),
			ReasonPostcode, "lsoa_code", Literal(MaskPostcode))
	}
	for _, c := range contract {
		p, r := Ident(c.Name), Ident("r_"+c.Name)
		switch c.Type {
		case Date:
			rule(p+" IS NULL AND "+filled(r), ReasonBadDate, c.Name, r)
		case Int:
			rule(p+" IS NULL AND "+filled(r), ReasonBadInteger, c.Name, r)
			rule(fmt.Sprintf("%s NOT BETWEEN %d AND %d", p, c.Min, c.Max), ReasonOutOfRange, c.Name, r)
		case Month:
			rule(p+" IS NULL AND "+filled(r), ReasonBadMonth, c.Name, r)
		case Text:
			if !c.Free {
				// a failed lookup in the workbook the extract came from (#N/A): as an id
				// it would merge every such row into one person, referral or practice
				rule(fmt.Sprintf("starts_with(%s, '#') AND list_contains([%s], upper(%s))", p, spreadsheetErrors, p),
					ReasonSpreadsheetErr, c.Name, r)
				// a long number a spreadsheet showed as 1.23457E+11: its digits are gone
				// (the '+' first: a regular expression on every id cost seconds a file)
				rule(fmt.Sprintf("contains(%s, '+') AND %s", p, SciNotationExpr(p)), ReasonSpreadsheetErr, c.Name, r)
			}
		case Enum:
			allowed := make([]string, len(c.Allowed))
			for i, a := range c.Allowed {
				allowed[i] = Literal(a)
			}
			// list_contains, not IN: DuckDB plans an IN list of five or more as a join,
			// which is slower and not order-preserving (see Layout.LineExpr).
			rule(fmt.Sprintf("%s IS NOT NULL AND NOT list_contains([%s], %s)", p, strings.Join(allowed, ", "), p), ReasonUnknownCode, c.Name, r)
		}
	}
	for _, c := range contract {
		if c.Type == Date {
			rule(fmt.Sprintf("%s > %s", Ident(c.Name), day), ReasonFutureDate, c.Name, Ident("r_"+c.Name))
		}
	}
	if kind == "referrals" && len(m.Schemes) > 0 {
		known := make([]string, len(m.Schemes))
		for i, id := range m.Schemes {
			known[i] = Literal(id)
		}
		rule(fmt.Sprintf("NOT list_contains([%s], scheme_id)", strings.Join(known, ", ")), ReasonUnknownScheme, "scheme_id", "r_scheme_id")
	}
	if kind == "referrals" {
		rule("closed_date < referral_date", ReasonClosedBefore, "closed_date", "r_closed_date")
		rule("birth_month IS NOT NULL AND birth_month > strftime(referral_date, '%Y-%m')", ReasonOutOfRange, "birth_month", "r_birth_month")
	}
	names := make([]string, len(contract))
	for i, c := range contract {
		names[i] = Ident(c.Name)
		if c.Type == Enum {
			// a value outside the set has its row quarantined by the rule above
			names[i] = fmt.Sprintf("TRY_CAST(%s AS %s) AS %s", names[i], EnumType(c), names[i])
		}
	}
	if !byRowid {
		names = append([]string{"_line"}, names...)
		parsed = append([]string{"_line"}, parsed...)
	}
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE %s AS
SELECT %s,
    CASE %s END AS _bad
FROM (
    SELECT %s
    FROM (SELECT %s FROM %s)
)`, Ident(table), strings.Join(names, ", "), strings.Join(rules, "\n    "), strings.Join(parsed, ",\n        "),
		strings.Join(raw, ",\n            "), l.ReadSQL())
}

// StagedView returns a statement creating TEMP VIEW stg over a staged table, the name
// the later statements read. A table staged byRowid (StageSQL) gets its _line here:
// firstRowid is the rowid of its first record.
func StagedView(table string, byRowid bool, firstRowid int64) string {
	if byRowid {
		return fmt.Sprintf("CREATE OR REPLACE TEMP VIEW stg AS SELECT rowid - %d + 2 AS _line, * FROM %s", firstRowid, Ident(table))
	}
	return "CREATE OR REPLACE TEMP VIEW stg AS SELECT * FROM " + Ident(table)
}

// OrderedPlan says whether a plan printed by EXPLAIN (FORMAT json) creates its table in
// the order its source is read, so that rowids follow the file (see Layout.LineExpr).
func OrderedPlan(plan string) bool {
	return strings.Contains(plan, `"BATCH_CREATE_TABLE_AS"`)
}

// DuplicateIDsSQL returns a statement creating TEMP TABLE dup_ids (id): the ids that occur
// more than once in view stg. It runs on its own because most files have none, and a
// join against an empty set still read every staged row.
func DuplicateIDsSQL(kind string) string {
	id := Ident(IDColumn(kind))
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE dup_ids AS
SELECT %s AS id FROM stg WHERE %s IS NOT NULL GROUP BY 1 HAVING count(*) > 1`, id, id)
}

// SetRulesSQL returns a statement creating TEMP TABLE set_bad (_line, _bad, _id): the rows
// of view stg that pass the row rules but break a rule needing more than one row, with the
// first rule broken in this order: an id whose rows differ (every copy) or an exact repeat
// (the later copies), checked only when dups says dup_ids (DuplicateIDsSQL) has rows; an
// id already loaded from another source ($1 = this source); for attendances an unknown
// referral (referral_quarantined when the referral is in quarantine itself, else
// orphan_attendance), a date before the referral, a different person. _id is the row's id.
// Only bad rows are written, so the cost is a few scans, never a copy of the file.
func SetRulesSQL(kind string, dups bool) string {
	id := Ident(IDColumn(kind))
	contract := Contract(kind)
	names := make([]string, len(contract))
	for i, c := range contract {
		names[i] = "s." + Ident(c.Name)
	}
	bad := func(reason, col, value string) string {
		return BadExpr(reason, col, "CAST("+value+" AS VARCHAR)")
	}
	var with, parts []string
	if dups {
		with = append(with, fmt.Sprintf(`dup AS (
    SELECT m.id, count(DISTINCT hash(%s)) AS nh, min(s._line) FILTER (WHERE s._bad IS NULL) AS first_good
    FROM dup_ids m JOIN stg s ON s.%s = m.id GROUP BY m.id
)`, strings.Join(names, ", "), id))
		parts = append(parts, fmt.Sprintf(`SELECT s._line, 1 AS prio, %s AS _bad, s.%s AS _id
    FROM stg s JOIN dup d ON d.id = s.%s
    WHERE s._bad IS NULL AND (d.nh > 1 OR s._line <> d.first_good)`, bad(ReasonDuplicateID, IDColumn(kind), "s."+id), id, id))
	}
	parts = append(parts, fmt.Sprintf(`SELECT s._line, 2 AS prio, %s AS _bad, s.%s AS _id
    FROM stg s JOIN (SELECT DISTINCT %s AS id FROM %s WHERE source <> $1) o ON o.id = s.%s
    WHERE s._bad IS NULL`, bad(ReasonIDOtherSource, IDColumn(kind), "s."+id), id, id, kind, id))
	if kind == "attendances" {
		parts = append(parts, fmt.Sprintf(`SELECT s._line, 3, CASE
        WHEN r.referral_id IS NULL AND s.referral_id IN (
            SELECT q.record_id FROM quarantine q JOIN ingested_files f ON f.file_id = q.file_id
            WHERE f.kind = 'referrals' AND q.record_id IS NOT NULL) THEN %s
        WHEN r.referral_id IS NULL THEN %s
        WHEN s.attendance_date < r.referral_date THEN %s
        ELSE %s END, s.attendance_id
    FROM stg s LEFT JOIN referrals r ON r.referral_id = s.referral_id
    WHERE s._bad IS NULL AND (r.referral_id IS NULL OR s.attendance_date < r.referral_date
        OR (s.person_id IS NOT NULL AND s.person_id <> r.person_id))`,
			bad(ReasonReferralQuarantined, "referral_id", "s.referral_id"),
			bad(ReasonOrphan, "referral_id", "s.referral_id"), bad(ReasonBeforeReferral, "attendance_date", "s.attendance_date"),
			bad(ReasonPersonMismatch, "person_id", "NULL")))
	}
	with = append(with, fmt.Sprintf("u AS (\n    %s\n)", strings.Join(parts, "\n    UNION ALL\n    ")))
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE set_bad AS
WITH %s
SELECT _line, arg_min(_bad, prio) AS _bad, any_value(_id) AS _id FROM u GROUP BY _line`, strings.Join(with, ",\n"))
}

// parseExpr turns the cleaned VARCHAR expression into the column's canonical value.
func parseExpr(c Column, trimmed string, m Mapping) string {
	switch c.Type {
	case Date:
		return DateExpr(trimmed, m.DateFormats)
	case Int:
		return IntExpr(trimmed)
	case Month:
		return fmt.Sprintf("CASE WHEN regexp_full_match(%s, '[0-9]{4}-(0[1-9]|1[0-2])') THEN %s END", trimmed, trimmed)
	case Enum:
		e := MapExpr(trimmed, m.Values[c.Name], !c.Upper)
		if c.Upper {
			e = "upper(" + e + ")"
		}
		return e
	}
	e := trimmed
	if c.Free {
		return MaskFreeText(e)
	}
	if vm := m.Values[c.Name]; len(vm) > 0 {
		e = MapExpr(trimmed, vm, false)
	}
	if c.Name == "scheme_id" && m.DefaultSchemeID != "" {
		e = fmt.Sprintf("coalesce(%s, %s)", e, Literal(m.DefaultSchemeID))
	}
	if c.Upper {
		e = "upper(" + e + ")"
	}
	return e
}

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
