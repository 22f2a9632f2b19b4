package episodes

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/socrx/socrx/transforms/model"
)

// TestFactsChecksumsCoverTheScope: the checksums that decide whether old facts can be
// reused cover exactly the columns the facts read, those the scope carries.
func TestFactsChecksumsCoverTheScope(t *testing.T) {
	t.Parallel()
	hashed := regexp.MustCompile(`hash\(([^)]*)\)`)
	selected := func(stmt, view string) []string {
		re := regexp.MustCompile(`(?s)VIEW ` + view + ` AS\s+SELECT (.*?)\s+FROM`)
		m := re.FindStringSubmatch(stmt)
		if m == nil {
			t.Fatalf("no %s in %q", view, stmt)
		}
		return columns(m[1])
	}
	for _, c := range []struct{ checksum, view string }{{"attendances_checksum", "scoped_attendances"}, {"referrals_checksum", "facts_scope"}} {
		q, err := model.Statement(files, c.checksum)
		if err != nil {
			t.Fatal(err)
		}
		m := hashed.FindStringSubmatch(q)
		if m == nil {
			t.Fatalf("%s hashes nothing", c.checksum)
		}
		want := columns(m[1])
		for _, scope := range []string{"facts_scope_all", "facts_scope_new"} {
			stmt, err := model.Statement(files, scope)
			if err != nil {
				t.Fatal(err)
			}
			if c.view == "facts_scope" && scope == "facts_scope_new" {
				stmt, err = model.Statement(files, "facts_scope_rows")
				if err != nil {
					t.Fatal(err)
				}
				stmt = strings.Replace(stmt, "TABLE facts_scope_rows AS", "VIEW facts_scope AS", 1)
			}
			if got := selected(stmt, c.view); !slices.Equal(got, want) {
				t.Errorf("%s carries %v in %s, %s covers %v", c.view, got, scope, c.checksum, want)
			}
		}
	}
}

func columns(list string) []string {
	var out []string
	for _, c := range strings.Split(list, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}
