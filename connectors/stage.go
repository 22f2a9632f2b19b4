package connectors

import (
	"fmt"
	"strings"
	"time"
)

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

// ReservedSchemeIDs are the scheme ids the marts use for all schemes together; an
// extract's scheme of that name would be counted twice (any case).
var reservedSchemeIDs = []string{"ALL"}

// spreadsheetErrors are the error values Excel and LibreOffice Calc write into a cell
// (and into a CSV saved from one), as SQL string literals.
const spreadsheetErrors = `'#N/A', '#NULL!', '#DIV/0!', '#VALUE!', '#REF!', '#NAME?', '#NUM!', '#GETTING_DATA', ` +
	`'#SPILL!', '#CALC!', '#FIELD!', '#BLOCKED!', '#CONNECT!', '#BUSY!', '#UNKNOWN!', '#EXTERNAL!'`

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
