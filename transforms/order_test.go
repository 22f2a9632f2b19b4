package transforms

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/socrx/socrx/transforms/model"
)

func TestOrder(t *testing.T) {
	m := func(name string, kind model.Kind, reads ...string) model.Model {
		return model.Model{Name: name, Kind: kind, Reads: reads}
	}
	temp, table := model.Temp, model.Table
	type ms = []model.Model
	given := []string{"referrals", "attendances"}
	cases := []struct {
		name   string
		models []model.Model
		want   []string // build order
		err    string   // substring of the error
	}{
		{name: "reads first", models: ms{m("mart", table, "int_b"), m("int_b", temp, "int_a"), m("int_a", temp, "referrals")},
			want: []string{"int_a", "int_b", "mart"}},
		{name: "ties by name, not by listing", models: ms{m("z", temp, "referrals"), m("b", temp), m("a", temp, "attendances")},
			want: []string{"a", "b", "z"}},
		{name: "a ready model goes before a later name", models: ms{m("c", temp), m("b", temp, "c"), m("a", temp, "b")},
			want: []string{"c", "b", "a"}},
		{name: "created relations", models: ms{m("reader", temp, "made"), {Name: "maker", Kind: model.Temp, Creates: []string{"made"}}},
			want: []string{"maker", "reader"}},
		{name: "missing", models: ms{m("a", temp, "nothing")}, err: "model a reads nothing, which no model defines"},
		{name: "twice", models: ms{m("a", temp), {Name: "b", Creates: []string{"a"}}}, err: "a is defined by both a and b"},
		{name: "shadowing a core table", models: ms{m("referrals", temp)}, err: "defines referrals, a core or parameter table"},
		{name: "cycle", models: ms{m("a", temp, "c"), m("b", temp, "a"), m("c", temp, "b"), m("d", temp)},
			err: "cycle: a → b → c → a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := order(c.models, given)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, g := range got {
				names = append(names, g.Name)
			}
			if !slices.Equal(names, c.want) {
				t.Errorf("order %v, want %v", names, c.want)
			}
		})
	}
}

// TestPhases checks which models Prepare builds: temp relations over the core tables,
// nothing that reads a persistent table.
func TestPhases(t *testing.T) {
	ms, err := models()
	if err != nil {
		t.Fatal(err)
	}
	given, err := givenRelations()
	if err != nil {
		t.Fatal(err)
	}
	ordered, err := order(ms, given)
	if err != nil {
		t.Fatal(err)
	}
	finish := inFinish(ordered)
	var prepare []string
	for _, m := range ordered {
		if !finish[m.Name] {
			prepare = append(prepare, m.Name)
		}
	}
	sort.Strings(prepare)
	want := []string{"episode_closed", "facts_scope", "gp_age_at", "gp_code_system_matches", "int_equity_catchments",
		"int_equity_population", "int_equity_quantile_cuts", "int_gp_linked_end", "int_gp_periods",
		"int_gp_registrations", "int_lsoa_resolved", "int_lw_contacts", "int_referrals",
		"int_registered_population", "int_swemwbs_metric"}
	if !slices.Equal(prepare, want) {
		t.Errorf("Prepare builds %v, want %v", prepare, want)
	}
}

// TestSQLModelReads holds each SQL model's reads directive to its text: every relation
// it names after FROM or JOIN is declared, and every declared relation is defined (by a
// model, or as a core or parameter table) and named in the text.
func TestSQLModelReads(t *testing.T) {
	ms, err := models()
	if err != nil {
		t.Fatal(err)
	}
	given, err := givenRelations()
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	for _, g := range given {
		defined[g] = true
	}
	for _, m := range ms {
		for _, n := range append([]string{m.Name}, m.Creates...) {
			defined[n] = true
		}
	}
	for _, m := range ms {
		if m.Build != nil {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			declared := map[string]bool{}
			for _, r := range m.Reads {
				if declared[r] {
					t.Errorf("%s is declared twice", r)
				}
				declared[r] = true
				if !defined[r] {
					t.Errorf("reads %s, which is neither a model nor a core or parameter table", r)
				}
			}
			named := referencedRelations(m.SQL)
			for _, r := range named {
				if !declared[r] {
					t.Errorf("reads %s without declaring it", r)
				}
			}
			words := map[string]bool{}
			for _, w := range sqlWord.FindAllString(stripSQL(m.SQL), -1) {
				words[strings.ToLower(w)] = true
			}
			for r := range declared {
				if !words[r] {
					t.Errorf("declares %s, which its SQL never names", r)
				}
			}
		})
	}
}

func TestReferencedRelations(t *testing.T) {
	cases := []struct {
		sql  string
		want []string
	}{
		{"SELECT * FROM a JOIN b USING (x) LEFT JOIN c ON true", []string{"a", "b", "c"}},
		{"WITH x AS (SELECT 1 FROM a), y AS NOT MATERIALIZED (SELECT * FROM x) SELECT * FROM y ASOF JOIN b ON true",
			[]string{"a", "b"}},
		{"SELECT * FROM range(1, 6) t(s) CROSS JOIN (VALUES (1)) v(n) WHERE x IN (SELECT y FROM z)", []string{"z"}},
		{"-- FROM comment\nSELECT 'FROM quoted' FROM a SEMI JOIN b USING (k)", []string{"a", "b"}},
		{"SELECT * FROM (SELECT * FROM a) UNION ALL BY NAME SELECT * FROM b", []string{"a", "b"}},
		{"SELECT * FROM a x JOIN b y ON y.k IS NOT DISTINCT FROM x.k", []string{"a", "b"}},
	}
	for _, c := range cases {
		if got := referencedRelations(c.sql); !slices.Equal(got, c.want) {
			t.Errorf("%q: %v, want %v", c.sql, got, c.want)
		}
	}
}

var (
	sqlWord  = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	sqlToken = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*|\S`)
)

// stripSQL blanks a query's comments and string literals.
func stripSQL(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "--"):
			for i < len(s) && s[i] != '\n' {
				i++
			}
			b.WriteByte('\n')
		case s[i] == '\'':
			for i++; i < len(s) && s[i] != '\''; i++ {
			}
			b.WriteString("''")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// referencedRelations lists, sorted, the relations a query names after FROM or JOIN,
// leaving out its common table expressions and table functions.
func referencedRelations(s string) []string {
	toks := sqlToken.FindAllString(stripSQL(s), -1)
	lower := make([]string, len(toks))
	for i, t := range toks {
		lower[i] = strings.ToLower(t)
	}
	ctes := map[string]bool{}
	for i := 0; i+2 < len(lower); i++ {
		// name AS ( or name AS [NOT] MATERIALIZED (
		if lower[i+1] != "as" {
			continue
		}
		j := i + 2
		if lower[j] == "not" {
			j++
		}
		if j < len(lower) && lower[j] == "materialized" {
			j++
		}
		if j < len(lower) && lower[j] == "(" {
			ctes[lower[i]] = true
		}
	}
	found := map[string]bool{}
	for i := 0; i+1 < len(lower); i++ {
		// IS [NOT] DISTINCT FROM compares values
		if lower[i] != "from" && lower[i] != "join" || i > 0 && lower[i-1] == "distinct" {
			continue
		}
		name := lower[i+1]
		if sqlWord.FindString(name) != name || (i+2 < len(lower) && lower[i+2] == "(") || ctes[name] {
			continue
		}
		found[name] = true
	}
	out := make([]string, 0, len(found))
	for n := range found {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// TestFilesNameRelations holds the layout to "a file's name is its relation": every .sql
// file at the top of a domain folder is a model's query (NAME.sql, built by the runner or
// run by the Go model NAME) or its comments (NAME.comments.sql); a Go model's other
// statements live in queries/.
func TestFilesNameRelations(t *testing.T) {
	ms, err := models()
	if err != nil {
		t.Fatal(err)
	}
	relations := map[string]bool{}
	for _, m := range ms {
		for _, n := range append([]string{m.Name}, m.Creates...) {
			relations[n] = true
		}
	}
	for _, dir := range []string{".", "episodes", "equity", "continuity"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name, ok := strings.CutSuffix(e.Name(), ".sql")
			if e.IsDir() || !ok {
				continue
			}
			if dir == "." && name == "params" {
				continue // the parameter relations and macros, set up before any model
			}
			if !relations[strings.TrimSuffix(name, ".comments")] {
				t.Errorf("%s/%s names no model", dir, e.Name())
			}
		}
	}
}
