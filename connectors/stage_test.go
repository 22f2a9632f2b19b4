package connectors

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestStagePlanOrdered checks that DuckDB plans the staging of either kind, with value
// maps, several date formats and a default scheme, as an order-preserving parallel insert.
// If it stops doing so, ingest still numbers lines correctly (by the single-threaded
// window) but loses most of its speed, so this test says which change did it.
func TestStagePlanOrdered(t *testing.T) {
	db := openDuck(t)
	dir := t.TempDir()
	m := Mapping{
		DateFormats:     []string{"%d/%m/%Y", "%Y-%m-%d", "%d-%b-%Y"},
		DefaultSchemeID: "SP01",
		Values: map[string]map[string]string{
			"sex":     {"Male": "M", "Female": "F", "Unknown": "U", "Not stated": "U", "Indeterminate": "U", "1": "M", "2": "F"},
			"status":  {"Attended": "attended", "DNA": "dna", "Did not attend": "dna", "Cancelled": "cancelled_patient", "Patient cancelled": "cancelled_patient"},
			"setting": {"LW": "link_worker", "Link worker": "link_worker", "VCS": "vcs", "Community": "vcs", "Group": "vcs"},
		},
	}
	for _, kind := range []string{"referrals", "attendances"} {
		var names []string
		for _, c := range Contract(kind) {
			names = append(names, c.Name)
		}
		path := filepath.Join(dir, kind+".csv")
		if err := os.WriteFile(path, []byte(strings.Join(names, ",")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := SniffCSV(path, ',')
		if err != nil {
			t.Fatal(err)
		}
		cols, err := Resolve(kind, l, m)
		if err != nil {
			t.Fatal(err)
		}
		q := StageSQL(kind, l, cols, m, time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC), "stg_test", true)
		var key, plan string
		if err := db.QueryRow("EXPLAIN (FORMAT json) "+q).Scan(&key, &plan); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if !OrderedPlan(plan) {
			t.Errorf("%s: staging is not planned as an order-preserving insert:\n%s", kind, plan)
		}
	}
}

// FuzzClean checks the SQL Clean against Go's strings.Trim with TrimSet, which the Go
// connectors use to agree with it: same text, and NULL for what trims to nothing.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a ", "\ta\r\n", "\u00a0x\u00a0", "a b", "\x01a", "é ", " \u2007", "\u00a0", "a\tb"} {
		f.Add(s)
	}
	db := openDuck(f)
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return
		}
		got, err := eval(t, db, Clean("x"), s)
		if err != nil {
			t.Fatalf("Clean(%q): %v", s, err)
		}
		want := strings.Trim(s, TrimSet)
		if got.Valid != (want != "") || got.String != want {
			t.Fatalf("Clean(%q) = %q (valid %v), want %q", s, got.String, got.Valid, want)
		}
	})
}

// FuzzBadFields checks that a broken rule decodes to what was encoded, whatever the raw
// value holds (separators, multi-byte and combining characters, nothing), and that a NULL
// value stays NULL rather than becoming empty.
func FuzzBadFields(f *testing.F) {
	for _, s := range []string{"", " ", "31/02/2024", "a\x1fb", "\x1f", "\x1f\x1f", "é\u0301x", "日本", "\n"} {
		f.Add(s)
	}
	db := openDuck(f)
	decode := func(t *testing.T, value string, arg any) (got [3]sql.NullString) {
		t.Helper()
		reason, column, val := BadFields("b")
		q := fmt.Sprintf("SELECT %s, %s, %s FROM (SELECT %s AS b)", reason, column, val,
			BadExpr(ReasonBadDate, "attendance_date", "CAST(? AS VARCHAR)"))
		if err := db.QueryRow(q, arg).Scan(&got[0], &got[1], &got[2]); err != nil {
			t.Fatalf("decoding %q: %v", value, err)
		}
		if got[0].String != ReasonBadDate || got[1].String != "attendance_date" {
			t.Fatalf("value %q: reason %q, column %q", value, got[0].String, got[1].String)
		}
		return got
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
			return
		}
		if got := decode(t, s, s); !got[2].Valid || got[2].String != s {
			t.Fatalf("value %q decoded as %q (valid %v)", s, got[2].String, got[2].Valid)
		}
		if got := decode(t, "NULL", nil); got[2].Valid {
			t.Fatalf("NULL value decoded as %q", got[2].String)
		}
	})
}
