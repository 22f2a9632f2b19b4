package reports

import (
	"context"
	"database/sql"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/readings"
)

// CheckFlagsAgree checks, for every report recorded in reports_written, that each derived
// flag is one decision shown the same everywhere (design §5):
//   - funnel outliers, for every period × scheme × measure: the summary's count (the
//     signal's value in signals.csv and on the HTML card) equals the number of published
//     true flags in practice_variation.csv and the number of highlighted points of the
//     scheme's funnel chart, the highlighted points are the flagged practices, and the
//     reading names every flagged practice and none whose flag is hidden;
//   - cap heaping: the flag is hidden wherever a count it rests on is, and the summary's
//     signal is the continuity table's "all" row.
//
// It reads only the files written, so it checks what a reader sees. Exported for the
// demo test (package reports_test).
func CheckFlagsAgree(t *testing.T, db *sql.DB, out string) (summaries int) {
	t.Helper()
	rows, err := db.Query(`SELECT DISTINCT period, scheme_id, html_path FROM reports_written ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	type page struct{ period, scheme, html string }
	var pages []page
	for rows.Next() {
		var p page
		if err := rows.Scan(&p.period, &p.scheme, &p.html); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatal("no reports recorded")
	}
	for _, p := range pages {
		dir := filepath.Join(out, filepath.Dir(filepath.FromSlash(p.html)))
		signals := readCSV(t, filepath.Join(dir, "csv", "signals.csv"))
		practices := readCSV(t, filepath.Join(dir, "csv", "practice_variation.csv"))
		html, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(p.html)))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []string{"contacted", "referral_rate"} {
			where := p.period + " " + p.scheme + " " + m
			var flagged, hidden []string
			rowsFor := 0
			for _, r := range practices {
				if r["scheme_id"] != p.scheme || r["measure"] != m || r["practice_code"] == "all practices" {
					continue
				}
				rowsFor++
				switch r["outlier"] {
				case "true":
					flagged = append(flagged, r["practice_code"])
				case "*":
					hidden = append(hidden, r["practice_code"])
				}
			}
			var sig map[string]string
			for _, r := range signals {
				if r["scheme_id"] == p.scheme && r["signal"] == "funnel_outliers_"+m {
					sig = r
				}
			}
			if rowsFor == 0 && sig == nil {
				continue
			}
			summaries++
			if sig == nil {
				t.Errorf("%s: the table has practices but the summary has no outlier count", where)
				continue
			}
			count := sig["value"]
			if count == "" {
				count = "0"
			}
			if count != itoa(len(flagged)) {
				t.Errorf("%s: summary counts %s outliers, the table flags %d (%v)", where, sig["value"], len(flagged), flagged)
			}
			card := regexp.MustCompile(regexp.QuoteMeta(signalName("funnel_outliers_"+m)) + `</span>: <span class="val">([^<]*)</span>`).FindSubmatch(html)
			if card == nil {
				t.Errorf("%s: no summary card for the outlier count", where)
			} else if got := string(card[1]); !(got == count || (got == "–" && count == "0")) {
				t.Errorf("%s: the summary card shows %s, the table flags %d", where, got, len(flagged))
			}
			if got := highlighted(html, "funnel-"+m); strings.Join(got, ",") != strings.Join(sorted(flagged), ",") {
				t.Errorf("%s: the chart highlights %v, the table flags %v", where, got, flagged)
			}
			reading := sig["reading"]
			for _, code := range flagged {
				if !namesCode(reading, code) {
					t.Errorf("%s: the reading does not name flagged practice %s: %s", where, code, reading)
				}
			}
			for _, code := range hidden {
				if namesCode(reading, code) {
					t.Errorf("%s: the reading names %s, whose flag the table hides: %s", where, code, reading)
				}
			}
		}
		checkHeapingFlags(t, p.period+" "+p.scheme, p.scheme, signals, readCSV(t, filepath.Join(dir, "csv", "continuity.csv")))
	}
	return summaries
}

// checkHeapingFlags: cap_heaping_detected is hidden wherever one of its counts is, and the
// summary's signal is the table's "all" row, its readings withheld with it.
func checkHeapingFlags(t *testing.T, where, scheme string, signals, continuity []map[string]string) {
	t.Helper()
	for _, r := range continuity {
		if r["scheme_id"] != scheme {
			continue
		}
		anyHidden := false
		for _, c := range []string{"closed_episodes_n", "at_cap_minus_1_n", "at_cap_n", "at_cap_plus_1_n", "above_cap_n"} {
			anyHidden = anyHidden || r[c] == "*"
		}
		if anyHidden && r["cap_heaping_detected"] != "*" && r["cap_heaping_detected"] != "" {
			t.Errorf("%s stratum %s: cap heaping %s is published though a count it rests on is hidden", where, r["stratum"], r["cap_heaping_detected"])
		}
		if r["stratum"] != "all" {
			continue
		}
		for _, s := range signals {
			if s["scheme_id"] != scheme {
				continue
			}
			// the signals' value column holds numbers, so its flags are 1 and 0
			if s["signal"] == "cap_heaping_detected" && strings.NewReplacer("1", "true", "0", "false").Replace(s["value"]) != r["cap_heaping_detected"] {
				t.Errorf("%s: the summary's cap heaping is %q, the table's %q", where, s["value"], r["cap_heaping_detected"])
			}
			if (s["signal"] == "cap_heaping_detected" || s["signal"] == "cap_heaping_ratio") && r["cap_heaping_detected"] == "*" && s["reading"] != readings.HeapingWithheld {
				t.Errorf("%s: %s's reading is published though the flag is hidden: %s", where, s["signal"], s["reading"])
			}
		}
	}
}

// highlighted lists the practices a funnel chart draws as outliers (by their tooltips).
func highlighted(html []byte, figure string) []string {
	s := string(html)
	i := strings.Index(s, `<figure id="`+figure+`"`)
	if i < 0 {
		return nil
	}
	s = s[i:]
	s = s[:strings.Index(s, "</figure>")]
	var out []string
	for _, m := range regexp.MustCompile(`<circle [^>]*fill="`+cVermilion+`"[^>]*><title>([^<]*)</title></circle>`).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return sorted(out)
}

func namesCode(reading, code string) bool {
	return regexp.MustCompile(`(^|[^A-Za-z0-9])` + regexp.QuoteMeta(code) + `($|[^A-Za-z0-9])`).MatchString(reading)
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func itoa(n int) string { return machine(disclosure.Plain(int64(n))) }

// readCSV reads a CSV file as rows keyed by the header.
func readCSV(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for j, h := range recs[0] {
			m[h] = r[j]
		}
		// a suppressed cell is empty with its <column>_suppressed flag true: read it as
		// the "*" the checks here compare with
		for j, h := range recs[0] {
			if col, ok := strings.CutSuffix(h, "_suppressed"); ok && r[j] == "true" {
				m[col] = "*"
			}
		}
		out = append(out, m)
	}
	return out
}

// TestFunnelFlagsAgreeFixture: over the fixture, the summary's outlier count, the reading,
// the chart and the table rest on the mart's one flag. The fixture flags P06 where its
// rounded value sits inside the limits worked from rounded counts (the report used to
// judge again and drop it), and S1's P01, whose counts are suppressed, so its flag must be
// hidden and neither counted nor named.
func TestFunnelFlagsAgreeFixture(t *testing.T) {
	db := fixtureDB(t)
	out := t.TempDir()
	if _, err := Run(context.Background(), db, testOptions(out)); err != nil {
		t.Fatal(err)
	}
	if n := CheckFlagsAgree(t, db, out); n != 6 {
		t.Errorf("checked %d period × scheme × measure summaries, want 6", n)
	}
	pv := readCSV(t, filepath.Join(out, "2024-Q1", "csv", "practice_variation.csv"))
	for _, tc := range []struct{ scheme, measure, practice, outlier string }{
		{"S1", "contacted", "P01", "*"},     // flagged in the mart, suppressed point
		{"S1", "contacted", "P06", "true"},  // flagged, published
		{"ALL", "contacted", "P06", "true"}, // flagged though inside the rounded limits
		{"S2", "contacted", "P05", "false"},
		{"S1", "contacted", "all practices", ""},
	} {
		got := "missing"
		for _, r := range pv {
			if r["scheme_id"] == tc.scheme && r["measure"] == tc.measure && r["practice_code"] == tc.practice {
				got = r["outlier"]
			}
		}
		if got != tc.outlier {
			t.Errorf("%s %s %s: outlier %q, want %q", tc.scheme, tc.measure, tc.practice, got, tc.outlier)
		}
	}
	for _, r := range readCSV(t, filepath.Join(out, "2024-Q1", "csv", "signals.csv")) {
		if r["scheme_id"] == "S1" && r["signal"] == "funnel_outliers_contacted" {
			if r["value"] != "1" || !strings.Contains(r["reading"], "1 of 4 practices had a") ||
				!strings.Contains(r["reading"], "2 more with counts too small to publish are not judged") {
				t.Errorf("S1 contacted: %s, %q", r["value"], r["reading"])
			}
		}
	}
}

// TestFlagRules checks each derived flag's rule on single cells: the mart's decision is
// published as it is when its inputs are published, hidden when any is, empty when the
// mart has none.
func TestFlagRules(t *testing.T) {
	p := disclosure.Policy{Threshold: 7, Rounding: 5}
	pub, sup := p.Count(40), p.Count(3)
	for _, tc := range []struct {
		name       string
		pc         practiceCells
		num, den   *disclosure.Cell
		base       *disclosure.Cell
		want       string
		wantHidden bool
	}{
		{"flag published", practiceCells{judged: true, outlier: true}, pub, p.Count(50), p.Ratio(pub, p.Count(100), 1, disclosure.FmtPercent), "true", false},
		{"no flag published", practiceCells{judged: true}, pub, p.Count(50), p.Ratio(pub, p.Count(100), 1, disclosure.FmtPercent), "false", false},
		{"small numerator", practiceCells{judged: true, outlier: true}, sup, p.Count(50), p.Ratio(pub, p.Count(100), 1, disclosure.FmtPercent), "*", true},
		{"small denominator", practiceCells{judged: true, outlier: true}, p.Count(0), sup, p.Ratio(pub, p.Count(100), 1, disclosure.FmtPercent), "*", true},
		{"hidden average", practiceCells{judged: true, outlier: true}, p.Count(0), p.Count(50), p.Ratio(sup, p.Count(100), 1, disclosure.FmtPercent), "*", true},
		{"no denominator", practiceCells{}, p.Count(0), p.NullCount(), p.Ratio(pub, p.Count(100), 1, disclosure.FmtPercent), "", false},
		{"zero denominator", practiceCells{}, p.Count(0), p.Count(0), p.Ratio(pub, p.Count(100), 1, disclosure.FmtPercent), "", false},
		// a zero hidden by secondary suppression: an empty flag would give it away
		{"hidden zero denominator", practiceCells{}, p.Count(0), &disclosure.Cell{Kind: disclosure.KindCount, Suppressed: true, Secondary: true}, p.Ratio(pub, p.Count(100), 1, disclosure.FmtPercent), "*", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := p.Ratio(tc.num, tc.den, 1, disclosure.FmtPercent)
			got := practiceFlag(p, tc.pc, v, tc.base)
			if machine(got) != tc.want || got.Suppressed != tc.wantHidden {
				t.Errorf("flag %q (hidden %v), want %q (hidden %v)", machine(got), got.Suppressed, tc.want, tc.wantHidden)
			}
		})
	}
}

// TestHeapingFlagRule: cap_heaping_detected is the mart's decision, published when every
// count it rests on is, hidden when any is.
func TestHeapingFlagRule(t *testing.T) {
	p := disclosure.Policy{Threshold: 7, Rounding: 5}
	hiddenZero := &disclosure.Cell{Kind: disclosure.KindCount, Suppressed: true, Secondary: true}
	for _, tc := range []struct {
		name     string
		detected any // the mart's value: true, false or nil
		above    *disclosure.Cell
		closed   *disclosure.Cell
		want     string
	}{
		{"published", true, p.Count(0), p.Count(200), "true"},
		{"published no", false, p.Count(40), p.Count(200), "false"},
		{"a few beyond the cap", true, p.Count(3), p.Count(200), "*"},
		{"no flag in the mart", nil, p.Count(0), p.Count(0), ""},
		{"no flag, closed hidden by secondary suppression", nil, p.Count(0), hiddenZero, "*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := [2]string{"S", "all"}
			b := &builder{p: p, heaping: map[[2]string]*disclosure.Cell{},
				cont: map[[2]string]*contCells{k: {closed: tc.closed, atCapMinus: p.Count(10), atCap: p.Count(90),
					atCapPlus: p.Count(0), aboveCap: tc.above}},
				contRaw: map[[2]string]rec{k: {"cap_heaping_detected": tc.detected}}}
			got := b.heapingFlag("S", "all")
			if machine(got) != tc.want {
				t.Errorf("flag %q, want %q", machine(got), tc.want)
			}
			if b.heapingFlag("S", "all") != got {
				t.Error("the table and the signal get different cells")
			}
		})
	}
}
