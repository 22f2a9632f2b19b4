package connectors

import (
	"fmt"
	"strings"
	"time"
)

// StageSQL returns a statement creating TEMP TABLE table straight from the file's
// reader (one pass): one row per record with every contract column parsed to its type,
// and _bad, the first row-level rule the record breaks (rowRules; its value is the raw
// text). Set-level rules (duplicates, orphans) come after, in SetRulesSQL. Records carry
// _line unless byRowid: then the table must be created in file order and StagedView
// numbers records by rowid (see Layout.LineExpr).
func StageSQL(kind string, l Layout, cols map[string]string, m Mapping, logical time.Time, table string, byRowid bool) string {
	var columns, parsed, raw []string
	if !byRowid {
		columns, parsed, raw = []string{"_line"}, []string{"_line"}, []string{l.LineExpr() + " AS _line"}
	}
	for _, c := range Contract(kind) {
		text := Ident("r_" + c.Name)
		columns = append(columns, storedColumn(c))
		parsed = append(parsed, parseExpr(c, Clean(text), m)+" AS "+Ident(c.Name), text)
		raw = append(raw, rawText(c, cols)+" AS "+text)
	}
	return sqlTemplate("stage", struct {
		Table, Read                 string
		Columns, Rules, Parsed, Raw []string
	}{Ident(table), l.ReadSQL(), columns, rowRules(kind, m, logical), parsed, raw})
}

// rawText is a contract column's text as read from the file: NULL where the file lacks it.
func rawText(c Column, cols map[string]string) string {
	if h, ok := cols[c.Name]; ok {
		return "CAST(" + Ident(h) + " AS VARCHAR)"
	}
	return "NULL::VARCHAR"
}

// storedColumn is a parsed contract column as the staged table keeps it: a closed set as
// its ENUM (EnumType), a value outside the set having had its row quarantined.
func storedColumn(c Column) string {
	if c.Type == Enum {
		return fmt.Sprintf("TRY_CAST(%s AS %s) AS %s", Ident(c.Name), EnumType(c), Ident(c.Name))
	}
	return Ident(c.Name)
}

// parseExpr turns the cleaned VARCHAR expression into the column's canonical value.
func parseExpr(c Column, trimmed string, m Mapping) string {
	if c.Derived != "" {
		return c.Derived // DuckDB reads the columns parsed before it by their aliases
	}
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
