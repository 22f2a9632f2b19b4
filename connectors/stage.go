package connectors

import (
	"fmt"
	"strings"
	"time"
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

// SetRulesSQL returns a statement creating TEMP TABLE set_bad (_line, _bad): the rows of
// view stg that pass the row rules but break a rule needing more than one row, with the
// first rule broken in this order: an id whose rows differ (every copy) or an exact repeat
// (the later copies), checked only when dups says dup_ids (DuplicateIDsSQL) has rows; an
// id already loaded from another source ($1 = this source); for attendances an unknown
// referral, a date before the referral, a different person. Only bad rows are written, so
// the cost is a few scans, never a copy of the file.
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
		parts = append(parts, fmt.Sprintf(`SELECT s._line, 1 AS prio, %s AS _bad
    FROM stg s JOIN dup d ON d.id = s.%s
    WHERE s._bad IS NULL AND (d.nh > 1 OR s._line <> d.first_good)`, bad(ReasonDuplicateID, IDColumn(kind), "s."+id), id))
	}
	parts = append(parts, fmt.Sprintf(`SELECT s._line, 2 AS prio, %s AS _bad
    FROM stg s JOIN (SELECT DISTINCT %s AS id FROM %s WHERE source <> $1) o ON o.id = s.%s
    WHERE s._bad IS NULL`, bad(ReasonIDOtherSource, IDColumn(kind), "s."+id), id, kind, id))
	if kind == "attendances" {
		parts = append(parts, fmt.Sprintf(`SELECT s._line, 3, CASE
        WHEN r.referral_id IS NULL THEN %s
        WHEN s.attendance_date < r.referral_date THEN %s
        ELSE %s END
    FROM stg s LEFT JOIN referrals r ON r.referral_id = s.referral_id
    WHERE s._bad IS NULL AND (r.referral_id IS NULL OR s.attendance_date < r.referral_date
        OR (s.person_id IS NOT NULL AND s.person_id <> r.person_id))`,
			bad(ReasonOrphan, "referral_id", "s.referral_id"), bad(ReasonBeforeReferral, "attendance_date", "s.attendance_date"),
			bad(ReasonPersonMismatch, "person_id", "NULL")))
	}
	with = append(with, fmt.Sprintf("u AS (\n    %s\n)", strings.Join(parts, "\n    UNION ALL\n    ")))
	return fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE set_bad AS
WITH %s
SELECT _line, arg_min(_bad, prio) AS _bad FROM u GROUP BY _line`, strings.Join(with, ",\n"))
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

// NHSNumberCheckSQL returns a query over view stg's person_id giving (ten_digit,
// passing): a column where at least half the 10-digit values pass the modulus 11 check is
// a column of NHS numbers (random ids pass about 1 time in 11).
//
// The WHERE clause passes only values that could hold ten digits once spaces and hyphens
// are stripped (long enough, starting with one of those), so the regular expressions run
// on candidates only: on a file of pseudonyms like P00012345 they never run.
func NHSNumberCheckSQL() string {
	return fmt.Sprintf(`SELECT count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s) FROM stg
WHERE strlen(person_id) >= 10 AND person_id[1] IN ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '-')`,
		TenDigitExpr("person_id"), NHSNumberValidExpr("person_id"))
}
