package cli

import (
	"context"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/socrx/socrx/connectors"
	"github.com/socrx/socrx/pipeline"
	"github.com/socrx/socrx/stats"
)

// snakeCode is a code as the marts and the extract contract write them.
var snakeCode = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)+$`)

// TestNoCodesInReports: no internal code appears in the text of any demo HTML page. The
// codes are taken from the contract's enumerations, the verdict sets and the code
// columns of the demo's own marts, not from a list kept by hand: every snake_case value,
// every outcome measure, and the short codes of measures and referral sources ("dna",
// "gp", "vcs"), which read as words in capitals only.
func TestNoCodesInReports(t *testing.T) {
	dir := demoDir(t)
	codes := map[string]bool{}
	add := func(v string, short bool) {
		if snakeCode.MatchString(v) || short && len(v) <= 3 && strings.ToLower(v) == v && v != "all" {
			codes[v] = true
		}
	}
	for _, kind := range []string{"referrals", "attendances", "outcomes", "population", "deprivation"} {
		for _, c := range connectors.Contract(kind) {
			for _, v := range c.Allowed {
				add(v, c.Name == "referral_source")
			}
		}
	}
	for _, m := range connectors.OutcomeMeasures() {
		codes[m] = true
	}
	for _, v := range []string{stats.VerdictRedistributive, stats.VerdictNonRedistributive, stats.VerdictNoClearGradient,
		stats.VerdictInsufficientData, stats.VerdictNotApplicable, stats.TrendNarrowing, stats.TrendWidening,
		stats.TrendChangedDirection, stats.TrendNoClearChange} {
		add(v, false)
	}
	db, err := pipeline.OpenDB(context.Background(), filepath.Join(dir, "db", "socrx.duckdb"), pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT DISTINCT v, short FROM (
		SELECT measure AS v, true AS short FROM equity_strata UNION ALL SELECT dimension, false FROM equity_strata
		UNION ALL SELECT verdict, false FROM equity_summary UNION ALL SELECT signal, false FROM archetype_signals
		UNION ALL SELECT axis, false FROM archetype_signals UNION ALL SELECT setting, false FROM archetype_signals
		UNION ALL SELECT dimension, false FROM outcome_change UNION ALL SELECT stratum, false FROM outcome_change
		UNION ALL SELECT verdict, false FROM outcome_summary UNION ALL SELECT pair_status, false FROM outcome_pairs
		UNION ALL SELECT dimension, false FROM equity_groups UNION ALL SELECT reason, false FROM quarantine
		UNION ALL SELECT measure, true FROM practice_variation) WHERE v IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		var short bool
		if err := rows.Scan(&v, &short); err != nil {
			t.Fatal(err)
		}
		add(v, short)
	}
	rows.Close()
	if len(codes) < 40 {
		t.Fatalf("only %d codes gathered: the search would prove little", len(codes))
	}
	var pattern []string
	for c := range codes {
		pattern = append(pattern, regexp.QuoteMeta(c))
	}
	re := regexp.MustCompile(`(?:^|[^A-Za-z0-9_])(` + strings.Join(pattern, "|") + `)(?:[^A-Za-z0-9_]|$)`)
	tags := regexp.MustCompile(`(?s)<style>.*?</style>|<[^>]+>`)
	pages := 0
	err = filepath.WalkDir(filepath.Join(dir, "reports"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pages++
		text := html.UnescapeString(tags.ReplaceAllString(string(b), " "))
		for _, m := range re.FindAllStringSubmatchIndex(text, 3) {
			lo, hi := max(0, m[2]-40), min(len(text), m[3]+40)
			t.Errorf("%s: code %q in the text: …%s…", filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), text[m[2]:m[3]],
				strings.Join(strings.Fields(text[lo:hi]), " "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 10 {
		t.Errorf("searched %d pages", pages)
	}
}
