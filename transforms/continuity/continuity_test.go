package continuity_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms"
	"github.com/socrx/socrx/transforms/modeltest"
)

func TestTimeToFirstContact(t *testing.T) {
	t.Parallel()
	// data_end is day 366. Referred on day 300 (66 days before data_end), S1 reproduces the
	// hand-worked Kaplan–Meier example of stats: contacts at +2, +5, +5, +10; closed without
	// contact at +3, +5, +8, +12 (censored there); one still open (censored at +66).
	// S(10) = 8/9 · 5/7 · 2/3 ≈ 0.423 → median 10; S never reaches 0.1 → p90 NULL.
	var f modeltest.Timeline
	for i, c := range []struct {
		contact, closed int // day offsets from 300; -1 = none
		outcome         string
	}{
		{2, -1, ""}, {-1, 3, "declined"}, {5, -1, ""}, {5, -1, ""}, {-1, 5, "not_contactable"},
		{-1, 8, "declined"}, {10, -1, ""}, {-1, 12, "declined"}, {-1, -1, "pending"},
	} {
		id := fmt.Sprintf("k%d", i)
		r := modeltest.Ref{ID: id, Day: 300, Outcome: c.outcome}
		if c.closed >= 0 {
			r.ClosedDay = modeltest.Int(300 + c.closed)
		}
		f.AddRef(r)
		if c.contact >= 0 {
			f.Contacts(id, 300+c.contact, "A")
		}
	}
	// S2: first contact after data_end is not yet observed: censored at data_end.
	f.AddRef(modeltest.Ref{ID: "late", Scheme: "S2", Day: 300})
	f.Contacts("late", 370, "A")
	// S2: referred after data_end: not in the estimate at all.
	f.AddRef(modeltest.Ref{ID: "future", Scheme: "S2", Day: 380})
	// S3: every referral contacted, at +1..+4: S = 3/4, 1/2, 1/4, 0 → median 2, p90 4.
	for i := range 4 {
		id := fmt.Sprintf("s3-%d", i)
		f.AddRef(modeltest.Ref{ID: id, Scheme: "S3", Day: 300})
		f.Contacts(id, 301+i, "A")
	}
	tx := modeltest.BuildTimeline(t, f, modeltest.Params())

	episodes := []struct {
		id    string
		days  sql.NullInt64
		event sql.NullBool
	}{
		{"k0", sql.NullInt64{Int64: 2, Valid: true}, sql.NullBool{Bool: true, Valid: true}},
		{"k1", sql.NullInt64{Int64: 3, Valid: true}, sql.NullBool{Bool: false, Valid: true}},
		{"k8", sql.NullInt64{Int64: 66, Valid: true}, sql.NullBool{Bool: false, Valid: true}},
		{"late", sql.NullInt64{Int64: 66, Valid: true}, sql.NullBool{Bool: false, Valid: true}},
		{"future", sql.NullInt64{}, sql.NullBool{}},
	}
	for _, e := range episodes {
		var days sql.NullInt64
		var event sql.NullBool
		if err := tx.QueryRow(`SELECT days_to_first_contact, first_contact_event FROM episode_metrics WHERE referral_id = ?`, e.id).
			Scan(&days, &event); err != nil {
			t.Fatal(err)
		}
		if days != e.days || event != e.event {
			t.Errorf("%s: days, event = %v, %v; want %v, %v", e.id, days, event, e.days, e.event)
		}
	}

	cells := []struct {
		scheme, period string
		median, p90    sql.NullInt64
	}{
		{"S1", "2024-Q4", sql.NullInt64{Int64: 10, Valid: true}, sql.NullInt64{}},
		{"S1", "all", sql.NullInt64{Int64: 10, Valid: true}, sql.NullInt64{}},
		{"S3", "2024-Q4", sql.NullInt64{Int64: 2, Valid: true}, sql.NullInt64{Int64: 4, Valid: true}},
		{"S2", "2024-Q4", sql.NullInt64{}, sql.NullInt64{}},
	}
	for _, c := range cells {
		var median, p90 sql.NullInt64
		if err := tx.QueryRow(`SELECT median_days_to_first_contact, p90_days_to_first_contact FROM continuity_summary
			WHERE scheme_id = ? AND period = ? AND stratum = 'all'`, c.scheme, c.period).Scan(&median, &p90); err != nil {
			t.Fatalf("%s %s: %v", c.scheme, c.period, err)
		}
		if median != c.median || p90 != c.p90 {
			t.Errorf("%s %s: median, p90 = %v, %v; want %v, %v", c.scheme, c.period, median, p90, c.median, c.p90)
		}
	}
}

func TestCapHeaping(t *testing.T) {
	t.Parallel()
	var f modeltest.Timeline
	n := 0
	add := func(scheme string, contacts, episodes int) {
		for range episodes {
			id := fmt.Sprintf("%s-%03d", scheme, n)
			n++
			f.AddRef(modeltest.Ref{ID: id, Scheme: scheme, Day: 10, Outcome: "closed", ClosedDay: modeltest.Int(200)})
			f.Contacts(id, 20, strings.Repeat("A", contacts))
		}
	}
	// CAP (session_cap 6): 20 episodes end at 6, none at 7 or beyond.
	// h = 20 / mean(3, 0) = 13.33; share at cap 20/27; above 0 → detected.
	for c, e := range map[int]int{3: 2, 4: 2, 5: 3, 6: 20} {
		add("CAP", c, e)
	}
	// FLEX (no cap): a smooth spread. Mode among N ≥ 3 is 4 (tied with 5; the smaller
	// wins); h = 6 / mean(5, 6) = 1.09; 21/32 beyond → not detected.
	for c, e := range map[int]int{3: 5, 4: 6, 5: 6, 6: 5, 7: 4, 8: 3, 9: 2, 10: 1} {
		add("FLEX", c, e)
	}
	// Not closed: no outcome, no closed_date and a contact within 90 days of data_end.
	f.AddRef(modeltest.Ref{ID: "open", Scheme: "CAP", Day: 10})
	f.Contacts("open", 300, "AAAAAAA")
	// Closed by dormancy: last contact more than 90 days before data_end.
	f.AddRef(modeltest.Ref{ID: "dormant", Scheme: "CAP", Day: 10})
	f.Contacts("dormant", 20, "AAAAAA")
	p := modeltest.Params()
	p.Schemes = []transforms.Scheme{{ID: "CAP", Name: "Capped", SessionCap: 6}, {ID: "FLEX", Name: "Flexible"}}
	tx := modeltest.BuildTimeline(t, f, p)

	tests := []struct {
		scheme    string
		cap       int64
		source    string
		share     float64
		above     float64
		ratio     float64
		detected  bool
		closedCnt int64
	}{
		{"CAP", 6, "configured", 21.0 / 28, 0, 21 / 1.5, true, 28},
		{"FLEX", 4, "mode", 6.0 / 32, 21.0 / 32, 6 / 5.5, false, 32},
		// ALL: no shared configured cap, so the mode over all closed episodes: 6 (21 + 5);
		// h = 26 / mean(9, 4) = 4; 10 of 60 beyond.
		{"ALL", 6, "mode", 26.0 / 60, 10.0 / 60, 26 / 6.5, false, 60},
	}
	for _, tc := range tests {
		t.Run(tc.scheme, func(t *testing.T) {
			var cp, closed int64
			var source string
			var share, above, ratio float64
			var detected bool
			err := tx.QueryRow(`SELECT cap, cap_source, cap_heaping_share, share_above_cap, heaping_ratio, cap_heaping_detected,
				closed_contacted_episodes FROM continuity_summary WHERE scheme_id = ? AND period = 'all' AND stratum = 'all'`, tc.scheme).
				Scan(&cp, &source, &share, &above, &ratio, &detected, &closed)
			if err != nil {
				t.Fatal(err)
			}
			if cp != tc.cap || source != tc.source || detected != tc.detected || closed != tc.closedCnt {
				t.Errorf("cap, source, detected, closed = %d, %s, %v, %d; want %d, %s, %v, %d",
					cp, source, detected, closed, tc.cap, tc.source, tc.detected, tc.closedCnt)
			}
			for _, x := range []struct {
				name      string
				got, want float64
			}{{"share", share, tc.share}, {"above", above, tc.above}, {"ratio", ratio, tc.ratio}} {
				if math.Abs(x.got-x.want) > 1e-9 {
					t.Errorf("%s = %v, want %v", x.name, x.got, x.want)
				}
			}
		})
	}

	var atCap, openClosed, dormantClosed bool
	if err := tx.QueryRow(`SELECT
		(SELECT closed_at_cap FROM episode_metrics WHERE referral_id = 'dormant'),
		(SELECT closed FROM episode_metrics WHERE referral_id = 'open'),
		(SELECT closed FROM episode_metrics WHERE referral_id = 'dormant')`).Scan(&atCap, &openClosed, &dormantClosed); err != nil {
		t.Fatal(err)
	}
	if !atCap || openClosed || !dormantClosed {
		t.Errorf("dormant closed_at_cap = %v, open closed = %v, dormant closed = %v; want true, false, true", atCap, openClosed, dormantClosed)
	}
	var episodesAt6 int64
	if err := tx.QueryRow(`SELECT episodes FROM session_counts WHERE scheme_id = 'CAP' AND period = 'all' AND contacts = 6`).
		Scan(&episodesAt6); err != nil {
		t.Fatal(err)
	}
	if episodesAt6 != 21 {
		t.Errorf("session_counts at 6 = %d, want 21", episodesAt6)
	}
	var reading, inputs string
	if err := tx.QueryRow(`SELECT reading, inputs FROM archetype_signals WHERE scheme_id = 'CAP' AND period = 'all'
		AND signal = 'cap_heaping_detected'`).Scan(&reading, &inputs); err != nil {
		t.Fatal(err)
	}
	// the stored reading is unsuppressed (21 of 28 at 6, 3 at 5); reports compose theirs
	// from the inputs under disclosure control (package readings)
	for _, s := range []string{"Contacts clustered at 6 sessions",
		"75% of closed episodes with a contact ended at exactly 6", "11% at 5", "0% at 7",
		"heaping ratio 14.0", "0.0% went beyond 6", "28 such episodes", "the signature of a fixed session cap. It cannot"} {
		if !strings.Contains(reading, s) {
			t.Errorf("reading %q lacks %q", reading, s)
		}
	}
	for _, s := range []string{`"closed_contacted":28`, `"at_cap":21`, `"at_cap_minus_1":3`, `"cap":6`, `"cap_source":"configured"`} {
		if !strings.Contains(inputs, s) {
			t.Errorf("inputs %s lack %s", inputs, s)
		}
	}
}

func TestReReferralAndRetention(t *testing.T) {
	t.Parallel()
	// data_end is day 366.
	var f modeltest.Timeline
	// X: E1 ends on day 25 with worker B; E2 (day 60, 35 days later) starts with B.
	f.AddRef(modeltest.Ref{ID: "x1", Person: "X", Day: 10})
	f.Contacts("x1", 20, "A")
	f.Contacts("x1", 25, "B")
	f.AddRef(modeltest.Ref{ID: "x2", Person: "X", Day: 60})
	f.Contacts("x2", 70, "BC")
	// Y: E3 closed without contact on day 15; E4 185 days later, never contacted.
	f.AddRef(modeltest.Ref{ID: "y1", Person: "Y", Day: 10, Outcome: "declined", ClosedDay: modeltest.Int(15)})
	f.AddRef(modeltest.Ref{ID: "y2", Person: "Y", Day: 200})
	// Z: re-referred to another scheme only: not a re-referral to this one.
	f.AddRef(modeltest.Ref{ID: "z1", Person: "Z", Day: 10})
	f.Contacts("z1", 12, "A")
	f.AddRef(modeltest.Ref{ID: "z2", Person: "Z", Scheme: "S2", Day: 40})
	// V: back after 20 days to a different first worker.
	f.AddRef(modeltest.Ref{ID: "v1", Person: "V", Day: 100})
	f.Contacts("v1", 100, "AA")
	f.AddRef(modeltest.Ref{ID: "v2", Person: "V", Day: 121})
	f.Contacts("v2", 121, "C")
	tx := modeltest.BuildTimeline(t, f, modeltest.Params())

	b := func(v bool) sql.NullBool { return sql.NullBool{Bool: v, Valid: true} }
	null := sql.NullBool{}
	tests := []struct {
		id                string
		r90, r365, retain sql.NullBool
		next              sql.NullString
	}{
		{"x1", b(true), b(true), b(true), sql.NullString{String: "x2", Valid: true}},
		// ended day 71: the 90-day window has passed, the 365-day one has not
		{"x2", b(false), null, null, sql.NullString{}},
		{"y1", b(false), b(true), null, sql.NullString{String: "y2", Valid: true}},
		// never contacted nor closed: the episode has not ended
		{"y2", null, null, null, sql.NullString{}},
		{"z1", b(false), null, null, sql.NullString{}},
		{"v1", b(true), b(true), b(false), sql.NullString{String: "v2", Valid: true}},
	}
	for _, tc := range tests {
		var r90, r365, retain sql.NullBool
		var next sql.NullString
		if err := tx.QueryRow(`SELECT re_referred_90d, re_referred_365d, same_worker_retained, next_referral_id
			FROM episode_metrics WHERE referral_id = ?`, tc.id).Scan(&r90, &r365, &retain, &next); err != nil {
			t.Fatal(err)
		}
		if r90 != tc.r90 || r365 != tc.r365 || retain != tc.retain || next != tc.next {
			t.Errorf("%s: 90d, 365d, retained, next = %v, %v, %v, %v; want %v, %v, %v, %v",
				tc.id, r90, r365, retain, next, tc.r90, tc.r365, tc.retain, tc.next)
		}
	}
	// S1 overall: 90-day status known for x1, x2, y1, z1, v1, v2 (v2 ended day 121:
	// 211 ≤ 366) → 2 of 6; retention known for x1 and v1 → 1 of 2.
	var rate90, retention float64
	if err := tx.QueryRow(`SELECT re_referral_rate_90d, same_worker_retention FROM continuity_summary
		WHERE scheme_id = 'S1' AND period = 'all' AND stratum = 'all'`).Scan(&rate90, &retention); err != nil {
		t.Fatal(err)
	}
	if math.Abs(rate90-2.0/6) > 1e-12 || retention != 0.5 {
		t.Errorf("re_referral_rate_90d, same_worker_retention = %v, %v; want 1/3, 0.5", rate90, retention)
	}
	// x1, y1 and v1 were re-referred within 365 days, but no episode's 365-day window has
	// passed by day 366: the rate is unknown, not 3 of 3.
	var eligible365 int64
	var rate365 sql.NullFloat64
	if err := tx.QueryRow(`SELECT re_referral_eligible_365d, re_referral_rate_365d FROM continuity_summary
		WHERE scheme_id = 'S1' AND period = 'all' AND stratum = 'all'`).Scan(&eligible365, &rate365); err != nil {
		t.Fatal(err)
	}
	if eligible365 != 0 || rate365.Valid {
		t.Errorf("365-day re-referral: %d eligible, rate %v; want 0 and NULL", eligible365, rate365)
	}
	// Wilson 95% for 2 of 6, by hand: 0.0968 to 0.7000.
	var lo, hi float64
	if err := tx.QueryRow(`SELECT re_referral_rate_90d_lower, re_referral_rate_90d_upper FROM continuity_summary
		WHERE scheme_id = 'S1' AND period = 'all' AND stratum = 'all'`).Scan(&lo, &hi); err != nil {
		t.Fatal(err)
	}
	if math.Abs(lo-0.0968) > 1e-4 || math.Abs(hi-0.7000) > 1e-4 {
		t.Errorf("re_referral_rate_90d interval = %v–%v; want 0.0968–0.7000", lo, hi)
	}
}

func TestPracticeFunnel(t *testing.T) {
	t.Parallel()
	// FUN, 2024-Q1: P1 contacted 30 of 100 within 90 days, P2 70 of 100; average 0.5.
	// At n = 100 the limits are 0.5 ± z·0.05: 95% 0.402002–0.597998, 99.8% 0.345488–0.654512,
	// so P1 is a low and P2 a high 99.8% outlier. P4 is configured but never referred.
	var f modeltest.Timeline
	for _, pr := range []struct {
		code      string
		contacted int
	}{{"P1", 30}, {"P2", 70}} {
		for i := range 100 {
			id := fmt.Sprintf("%s-%03d", pr.code, i)
			f.AddRef(modeltest.Ref{ID: id, Scheme: "FUN", Practice: pr.code, Day: i % 60, Source: []string{"gp", "gp", "self", "nurse"}[i%4]})
			if i < pr.contacted {
				f.Contacts(id, i%60+30, "A")
			} else if i < pr.contacted+5 {
				f.Contacts(id, i%60+120, "A") // contacted, but after the 90-day window
			}
		}
	}
	// Registered patients: P1 from SEX = ALL; P2 only by sex (4,000 + 4,000). The 2020
	// extract is further from every period's mid-point and must not be used.
	f.Pop = []modeltest.Pop{
		{Extract: "2024-02-01", Practice: "P1", Sex: "ALL", Patients: 10000}, {Extract: "2024-02-01", Practice: "P1", Sex: "MALE", Patients: 1}, {Extract: "2024-02-01", Practice: "P2", Sex: "MALE", Patients: 4000},
		{Extract: "2024-02-01", Practice: "P2", Sex: "FEMALE", Patients: 4000}, {Extract: "2020-01-01", Practice: "P1", Sex: "ALL", Patients: 99999}, {Extract: "2020-01-01", Practice: "P2", Sex: "ALL", Patients: 99999},
	}
	p := modeltest.Params()
	p.Schemes = []transforms.Scheme{{ID: "FUN", Name: "Funnel", Practices: []string{"P1", "P2", "P4"}}}
	tx := modeltest.BuildTimeline(t, f, p)

	type row struct {
		num                                   int64
		den                                   sql.NullInt64
		value, lo95, hi95, lo998, hi998, base sql.NullFloat64
		outlier                               sql.NullBool
		sig                                   sql.NullString
	}
	get := func(practice, measure string) row {
		var r row
		err := tx.QueryRow(`SELECT numerator, denominator, value, lower95, upper95, lower998, upper998, baseline, outlier, significance
			FROM practice_variation WHERE scheme_id = 'FUN' AND period = '2024-Q1' AND practice_code = ? AND measure = ?`,
			practice, measure).Scan(&r.num, &r.den, &r.value, &r.lo95, &r.hi95, &r.lo998, &r.hi998, &r.base, &r.outlier, &r.sig)
		if err != nil {
			t.Fatalf("%s %s: %v", practice, measure, err)
		}
		return r
	}
	p1 := get("P1", "contacted")
	if p1.num != 30 || p1.den.Int64 != 100 {
		t.Errorf("P1 contacted = %d / %v, want 30 / 100", p1.num, p1.den)
	}
	for _, x := range []struct {
		name string
		got  sql.NullFloat64
		want float64
	}{{"lower95", p1.lo95, 0.402002}, {"upper95", p1.hi95, 0.597998}, {"lower998", p1.lo998, 0.345488},
		{"upper998", p1.hi998, 0.654512}, {"baseline", p1.base, 0.5}} {
		if !x.got.Valid || math.Abs(x.got.Float64-x.want) > 1e-6 {
			t.Errorf("P1 %s = %s, want %v", x.name, modeltest.FmtNF(x.got), x.want)
		}
	}
	if !p1.outlier.Bool || p1.sig.String != "low (0.001)" {
		t.Errorf("P1 outlier, significance = %v, %v; want true, low (0.001)", p1.outlier, p1.sig)
	}
	if p2 := get("P2", "contacted"); !p2.outlier.Bool || p2.sig.String != "high (0.001)" {
		t.Errorf("P2 outlier, significance = %v, %v; want true, high (0.001)", p2.outlier, p2.sig)
	}
	if p4 := get("P4", "contacted"); p4.den.Int64 != 0 || p4.value.Valid || p4.outlier.Valid {
		t.Errorf("P4 (configured, no referrals) = %+v; want denominator 0 and no value or limits", p4)
	}

	// Referral rate: P1 100 / 10,000, P2 100 / 8,000; average 200 / 18,000 per person.
	av := 200.0 / 18000
	for _, c := range []struct {
		practice string
		den      int64
		value    float64
	}{{"P1", 10000, 10}, {"P2", 8000, 12.5}} {
		r := get(c.practice, "referral_rate")
		want := stats.RateFunnel(float64(c.den), av, 1000)
		if r.den.Int64 != c.den || math.Abs(r.value.Float64-c.value) > 1e-9 || math.Abs(r.base.Float64-av*1000) > 1e-9 {
			t.Errorf("%s rate = %v / %v = %v around %v; want %d, %v around %v", c.practice, r.num, r.den, modeltest.FmtNF(r.value),
				modeltest.FmtNF(r.base), c.den, c.value, av*1000)
		}
		if math.Abs(r.lo998.Float64-want.Lower998) > 1e-9 || math.Abs(r.hi95.Float64-want.Upper95) > 1e-9 || r.outlier.Bool {
			t.Errorf("%s limits %s–%s (95%% upper %s), outlier %v; want %v", c.practice, modeltest.FmtNF(r.lo998), modeltest.FmtNF(r.hi998),
				modeltest.FmtNF(r.hi95), r.outlier, want)
		}
	}
	if p4 := get("P4", "referral_rate"); p4.num != 0 || p4.den.Valid {
		t.Errorf("P4 referral rate = %d / %v; want 0 / NULL (not in the population file)", p4.num, p4.den)
	}

	readings := map[string]string{}
	values := map[string]sql.NullFloat64{}
	rows, err := tx.Query(`SELECT signal, value, reading FROM sig_general_practice WHERE scheme_id = 'FUN' AND period = '2024-Q1'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, reading string
		var v sql.NullFloat64
		if err := rows.Scan(&name, &v, &reading); err != nil {
			t.Fatal(err)
		}
		readings[name], values[name] = reading, v
	}
	for name, want := range map[string]struct {
		value float64
		parts []string
	}{
		"share_practices_referring":     {2.0 / 3, []string{"2 of 3 practices (67%) made at least one referral in 2024-Q1", "configured for the scheme"}},
		"gp_referral_share":             {0.5, []string{"50% of referrals with a recorded source came from GPs", "self-referral 25%", "nurse 25%"}},
		"funnel_outliers_contacted":     {2, []string{"2 of 2 practices", "high: P2", "low: P1", "average of 50.0%"}},
		"funnel_outliers_referral_rate": {0, []string{"0 of 2 practices", "11.1 per 1,000"}},
	} {
		if !values[name].Valid || math.Abs(values[name].Float64-want.value) > 1e-9 {
			t.Errorf("%s = %s, want %v", name, modeltest.FmtNF(values[name]), want.value)
		}
		for _, s := range want.parts {
			if !strings.Contains(readings[name], s) {
				t.Errorf("%s reading %q lacks %q", name, readings[name], s)
			}
		}
	}
}

// TestContinuityStrata checks the IMD quintile strata: each stratum summarises only its
// episodes, 'all' summarises every episode including those without a quintile.
func TestContinuityStrata(t *testing.T) {
	t.Parallel()
	var f modeltest.Timeline
	// quintile 1: COC 1 (AAA) and 1/3 (AABB); quintile 3: COC 0 (AB); no LSOA: COC 1 (AA).
	for _, e := range []struct{ id, lsoa, workers string }{
		{"d1", "E01000001", "AAA"}, {"d2", "E01000001", "AABB"}, {"d3", "E01000002", "AB"}, {"d4", "", "AA"},
	} {
		f.AddRef(modeltest.Ref{ID: e.id, Day: 10, LSOA: e.lsoa})
		f.Contacts(e.id, 20, e.workers)
	}
	tx := modeltest.BuildTimeline(t, f, modeltest.Params())
	for _, c := range []struct {
		stratum  string
		episodes int64
		coc      float64
	}{{"all", 4, (1 + 1.0/3 + 0 + 1) / 4}, {"1", 2, (1 + 1.0/3) / 2}, {"3", 1, 0}} {
		var episodes int64
		var coc float64
		if err := tx.QueryRow(`SELECT episodes, mean_coc FROM continuity_summary WHERE scheme_id = 'S1' AND period = '2024-Q1'
			AND stratum = ?`, c.stratum).Scan(&episodes, &coc); err != nil {
			t.Fatalf("stratum %s: %v", c.stratum, err)
		}
		if episodes != c.episodes || math.Abs(coc-c.coc) > 1e-12 {
			t.Errorf("stratum %s: episodes, mean_coc = %d, %v; want %d, %v", c.stratum, episodes, coc, c.episodes, c.coc)
		}
	}
	var strata int
	if err := tx.QueryRow(`SELECT count(*) FROM continuity_summary WHERE scheme_id = 'ALL' AND period = 'all'`).Scan(&strata); err != nil {
		t.Fatal(err)
	}
	if strata != 3 {
		t.Errorf("ALL/all has %d strata, want 3 (all, 1, 3)", strata)
	}
}

// TestContinuityEmpty builds on empty core tables: a first run before any extract.
func TestContinuityEmpty(t *testing.T) {
	t.Parallel()
	tx := modeltest.BuildTimeline(t, modeltest.Timeline{}, modeltest.Params())
	for _, table := range []string{"episode_metrics", "continuity_summary", "session_counts", "practice_variation",
		"sig_link_workers", "sig_general_practice"} {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s has %d rows, want 0", table, n)
		}
	}
}

// TestContinuityComments holds every table and column this capability creates to a
// COMMENT (design §8).
func TestContinuityComments(t *testing.T) {
	t.Parallel()
	var f modeltest.Timeline
	f.AddRef(modeltest.Ref{ID: "r1", Day: 10})
	f.Contacts("r1", 12, "AB")
	tx := modeltest.BuildTimeline(t, f, modeltest.Params())
	tables := contTables()
	rows, err := tx.Query(`SELECT table_name, NULL FROM duckdb_tables() WHERE table_name IN (SELECT unnest(?::VARCHAR[])) AND comment IS NULL
		UNION ALL
		SELECT table_name, column_name FROM duckdb_columns() WHERE table_name IN (SELECT unnest(?::VARCHAR[])) AND comment IS NULL`,
		tables, tables)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var column sql.NullString
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		t.Errorf("no comment on %s %s", table, column.String)
	}
	var n int
	if err := tx.QueryRow(`SELECT count(DISTINCT table_name) FROM duckdb_tables() WHERE table_name IN (SELECT unnest(?::VARCHAR[]))`,
		tables).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(tables) {
		t.Errorf("found %d of the %d continuity tables", n, len(tables))
	}
}

func contTables() []string {
	return []string{"episode_metrics", "continuity_summary", "session_counts", "practice_variation",
		"int_continuity_caps", "int_continuity_km", "int_practice_funnel", "sig_link_workers", "sig_general_practice"}
}

// BenchmarkContinuity times Build over 1M referrals and 10M attendances (5 schemes, 300
// practices, two years) generated inside DuckDB, so the benchmark measures the models and
// not the loader.
func BenchmarkContinuity(b *testing.B) {
	ctx := context.Background()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection, so the transaction sees the generated data's temp state
	schema, err := transforms.Schema()
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{schema,
		`INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, referral_source, outcome, closed_date)
		 SELECT 'r' || i, 'p' || (i % 700000), 'S' || (i % 5), 'P' || lpad(CAST(i % 300 AS VARCHAR), 5, '0'),
		        DATE '2023-01-01' + CAST(i % 700 AS INTEGER),
		        ['gp', 'gp', 'nurse', 'self', 'vcs'][1 + i % 5],
		        CASE WHEN i % 3 = 0 THEN 'closed' WHEN i % 11 = 0 THEN 'declined' END,
		        CASE WHEN i % 3 = 0 OR i % 11 = 0 THEN DATE '2023-01-01' + CAST(i % 700 + 120 AS INTEGER) END
		 FROM range(1000000) t(i)`,
		// ten bookings per referral: one VCS session, the rest link-worker contacts a week
		// apart, with some DNAs, missing workers and a pool of workers per practice
		`INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id)
		 SELECT 'a' || j, 'r' || (j // 10),
		        DATE '2023-01-01' + CAST((j // 10) % 700 + (j % 10) * 7 + hash(j) % 5 AS INTEGER),
		        CASE WHEN j % 10 = 9 THEN 'vcs' ELSE 'link_worker' END,
		        CASE WHEN hash(j) % 8 = 0 THEN 'dna' ELSE 'attended' END,
		        CASE WHEN hash(j) % 20 <> 0 THEN 'W' || CAST((j // 10) % 300 * 3 + hash(j // 30) % 3 AS VARCHAR) END
		 FROM range(10000000) t(j)`,
		`INSERT INTO population (extract_date, practice_code, lsoa_code, sex, patients)
		 SELECT DATE '2024-01-01', 'P' || lpad(CAST(i AS VARCHAR), 5, '0'), 'E01000001', 'ALL', 5000 + i * 37
		 FROM range(300) t(i)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	p := transforms.DefaultParams(time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC))
	p.Schemes = []transforms.Scheme{{ID: "S0", SessionCap: 6}, {ID: "S1"}, {ID: "S2"}, {ID: "S3"}, {ID: "S4"}}
	for b.Loop() {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := transforms.Build(ctx, tx, p); err != nil {
			b.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			b.Fatal(err)
		}
	}
}
