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
)

// StageSQL returns a statement creating TEMP TABLE stg_file from TEMP TABLE raw_file
// (the file read as VARCHAR, in file order): one row per record with _line, every
// contract column parsed to its type, the raw text of each (r_<name>), and _bad, a
// struct {reason, column, value} for the first row-level rule the record breaks.
// Set-level rules (duplicates, orphans) are applied afterwards by the loader.
func StageSQL(kind string, cols map[string]string, m Mapping, logical time.Time, lineExpr string) string {
	contract := Contract(kind)
	var inner, outer []string
	inner = append(inner, lineExpr+" AS _line")
	for _, c := range contract {
		raw := "NULL::VARCHAR"
		if h, ok := cols[c.Name]; ok {
			raw = "CAST(" + Ident(h) + " AS VARCHAR)"
		}
		inner = append(inner, fmt.Sprintf("%s AS %s", raw, Ident("r_"+c.Name)))
		outer = append(outer, fmt.Sprintf("%s AS %s", parseExpr(c, Ident("r_"+c.Name), m), Ident(c.Name)))
		outer = append(outer, Ident("r_"+c.Name))
	}
	day := Literal(logical.Format("2006-01-02")) + "::DATE"
	var rules []string
	rule := func(cond, reason, col, value string) {
		rules = append(rules, fmt.Sprintf("WHEN %s THEN {'reason': %s, 'column': %s, 'value': %s}",
			cond, Literal(reason), Literal(col), value))
	}
	for _, c := range contract {
		if c.Required {
			rule(Ident(c.Name)+" IS NULL AND nullif("+Trim("r_"+c.Name)+", '') IS NULL", ReasonMissing, c.Name, "NULL::VARCHAR")
		}
	}
	for _, c := range contract {
		p, r := Ident(c.Name), Ident("r_"+c.Name)
		blank := fmt.Sprintf("nullif(%s, '') IS NOT NULL", Trim(r))
		switch c.Type {
		case Date:
			rule(blank+" AND "+p+" IS NULL", ReasonBadDate, c.Name, r)
		case Int:
			rule(blank+" AND "+p+" IS NULL", ReasonBadInteger, c.Name, r)
			rule(fmt.Sprintf("%s NOT BETWEEN %d AND %d", p, c.Min, c.Max), ReasonOutOfRange, c.Name, r)
		case Month:
			rule(blank+" AND "+p+" IS NULL", ReasonBadMonth, c.Name, r)
		case Enum:
			allowed := make([]string, len(c.Allowed))
			for i, a := range c.Allowed {
				allowed[i] = Literal(a)
			}
			rule(fmt.Sprintf("%s IS NOT NULL AND %s NOT IN (%s)", p, p, strings.Join(allowed, ", ")), ReasonUnknownCode, c.Name, r)
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
	bad := "CASE " + strings.Join(rules, "\n    ") + " END AS _bad"
	q := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE stg_file AS
SELECT _line, %s,
    %s
FROM (
    SELECT _line, %s
    FROM (SELECT %s FROM raw_file)
)`, strings.Join(colNames(contract), ", "), bad, strings.Join(outer, ",\n        "), strings.Join(inner, ",\n            "))
	return q
}

func colNames(cols []Column) []string {
	out := make([]string, 0, 2*len(cols))
	for _, c := range cols {
		out = append(out, Ident(c.Name), Ident("r_"+c.Name))
	}
	return out
}

// parseExpr turns the raw VARCHAR expression into the column's canonical value.
func parseExpr(c Column, raw string, m Mapping) string {
	trimmed := fmt.Sprintf("nullif(%s, '')", Trim(raw))
	switch c.Type {
	case Date:
		return DateExpr(trimmed, m.DateFormats)
	case Int:
		return IntExpr(raw)
	case Month:
		return fmt.Sprintf("CASE WHEN regexp_full_match(%s, '[0-9]{4}-(0[1-9]|1[0-2])') THEN %s END", Trim(raw), Trim(raw))
	case Enum:
		e := MapExpr(raw, m.Values[c.Name], !c.Upper)
		if c.Upper {
			e = "upper(" + e + ")"
		}
		return e
	}
	e := trimmed
	if vm := m.Values[c.Name]; len(vm) > 0 {
		e = MapExpr(raw, vm, false)
	}
	if c.Name == "scheme_id" && m.DefaultSchemeID != "" {
		e = fmt.Sprintf("coalesce(%s, %s)", e, Literal(m.DefaultSchemeID))
	}
	if c.Upper {
		e = "upper(" + e + ")"
	}
	return e
}

// USDateCheckSQL returns a query giving, for the staged file, the first record whose
// value in a date column parses only with day and month swapped: (line, column, value),
// or no row. Such a file is refused whole: socrx never guesses US order.
func USDateCheckSQL(kind string, formats []string) string {
	swapped := SwappedFormats(formats)
	if len(swapped) == 0 {
		return ""
	}
	var parts []string
	for _, c := range Contract(kind) {
		if c.Type != Date {
			continue
		}
		r := Ident("r_" + c.Name)
		parts = append(parts, fmt.Sprintf(
			"SELECT _line, %s AS col, %s AS val FROM stg_file WHERE %s IS NULL AND nullif(%s, '') IS NOT NULL AND %s IS NOT NULL",
			Literal(c.Name), r, Ident(c.Name), Trim(r), DateExpr(Trim(r), swapped)))
	}
	return "SELECT _line, col, val FROM (" + strings.Join(parts, " UNION ALL ") + ") ORDER BY _line LIMIT 1"
}

// NHSNumberCheckSQL returns a query over stg_file's raw person_id giving (ten_digit,
// passing): a column where at least half the 10-digit values pass the modulus 11 check is
// a column of NHS numbers (random ids pass about 1 time in 11).
func NHSNumberCheckSQL() string {
	return fmt.Sprintf(`SELECT count(*) FILTER (WHERE %s), count(*) FILTER (WHERE %s) FROM stg_file`,
		TenDigitExpr("r_person_id"), NHSNumberValidExpr("r_person_id"))
}
