package transforms

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/socrx/socrx/stats"
)

// contFixture is a set of referrals and attendances for the continuity tests. Dates are
// day offsets (see contDay) so fixtures read as timelines.
type contFixture struct {
	refs []contRef
	atts []contAtt
	pop  []contPop
}

type contRef struct {
	id, person, scheme, practice string
	day                          int    // referral date
	source, outcome              string // "" = NULL
	closedDay                    *int
	lsoa                         string // "" = NULL
}

type contAtt struct {
	ref     string
	day     int
	setting string
	status  string
	worker  string // "" = NULL
}

type contPop struct {
	extract  string // YYYY-MM-DD
	practice string
	sex      string
	patients int
}

// contDay is day d of the fixture timeline, day 0 being 2024-01-01.
func contDay(d int) string { return time.Date(2024, 1, 1+d, 0, 0, 0, 0, time.UTC).Format("2006-01-02") }

func contIntp(i int) *int { return &i }

// ref adds a referral; its person is the id unless set.
func (f *contFixture) ref(r contRef) {
	if r.person == "" {
		r.person = "p-" + r.id
	}
	if r.scheme == "" {
		r.scheme = "S1"
	}
	if r.practice == "" {
		r.practice = "A81001"
	}
	f.refs = append(f.refs, r)
}

// contacts adds attended link-worker contacts on successive days from day, one per letter
// of workers ("." = no worker recorded).
func (f *contFixture) contacts(ref string, day int, workers string) {
	for i, w := range workers {
		a := contAtt{ref: ref, day: day + i, setting: "link_worker", status: "attended"}
		if w != '.' {
			a.worker = "W" + string(w)
		}
		f.atts = append(f.atts, a)
	}
}

// contBuild loads the fixture into a fresh in-memory DuckDB and runs Build in a
// transaction, which it returns still open so temp tables can be read.
func contBuild(t testing.TB, f contFixture, p Params) *sql.Tx {
	t.Helper()
	ctx := context.Background()
	db := schemaDB(t)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	rows := make([][]any, 0, len(f.refs))
	for _, r := range f.refs {
		var closed any
		if r.closedDay != nil {
			closed = contDay(*r.closedDay)
		}
		rows = append(rows, []any{r.id, r.person, r.scheme, r.practice, contDay(r.day), contNull(r.source), contNull(r.outcome), closed,
			contNull(r.lsoa)})
	}
	contExec(t, tx, `CREATE TEMP TABLE fx_ref (referral_id VARCHAR, person_id VARCHAR, scheme_id VARCHAR, practice_code VARCHAR,
		referral_date DATE, referral_source VARCHAR, outcome VARCHAR, closed_date DATE, lsoa_code VARCHAR)`)
	if err := insertRows(ctx, tx, "fx_ref", 9, rows); err != nil {
		t.Fatal(err)
	}
	contExec(t, tx, `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, referral_source, outcome,
		closed_date, lsoa_code) SELECT * FROM fx_ref`)
	// two IoD2019 areas: E01000001 in decile 1 (quintile 1), E01000002 in decile 5 (quintile 3)
	contExec(t, tx, `INSERT INTO deprivation (edition, lsoa_code, lsoa_vintage, imd_rank, imd_decile, imd_quintile)
		VALUES ('IoD2019', 'E01000001', 2011, 100, 1, 1), ('IoD2019', 'E01000002', 2011, 15000, 5, 3)`)
	rows = rows[:0]
	for i, a := range f.atts {
		rows = append(rows, []any{fmt.Sprintf("a%06d", i), a.ref, contDay(a.day), a.setting, a.status, contNull(a.worker)})
	}
	contExec(t, tx, `CREATE TEMP TABLE fx_att (attendance_id VARCHAR, referral_id VARCHAR, attendance_date DATE, setting VARCHAR,
		status VARCHAR, worker_id VARCHAR)`)
	if err := insertRows(ctx, tx, "fx_att", 6, rows); err != nil {
		t.Fatal(err)
	}
	contExec(t, tx, `INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id)
		SELECT * FROM fx_att`)
	for _, pp := range f.pop {
		contExec(t, tx, `INSERT INTO population (extract_date, practice_code, lsoa_code, sex, patients) VALUES (?, ?, 'E01000001', ?, ?)`,
			pp.extract, pp.practice, pp.sex, pp.patients)
	}
	if _, err := Build(ctx, tx, p); err != nil {
		t.Fatal(err)
	}
	return tx
}

func contNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func contExec(t testing.TB, tx *sql.Tx, q string, args ...any) {
	t.Helper()
	if _, err := tx.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
}

// contParams are the defaults with data_end 2025-01-01 (day 366).
func contParams() Params {
	return DefaultParams(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
}

// nf is a nullable float read from the database.
type contNF = sql.NullFloat64

func contApprox(a contNF, want *float64) bool {
	if want == nil {
		return !a.Valid
	}
	return a.Valid && math.Abs(a.Float64-*want) < 5e-5
}

func contFP(f float64) *float64 { return &f }

func contFmtNF(a contNF) string {
	if !a.Valid {
		return "NULL"
	}
	return fmt.Sprintf("%.6f", a.Float64)
}

func contFmtFP(f *float64) string {
	if f == nil {
		return "NULL"
	}
	return fmt.Sprintf("%.6f", *f)
}

func TestEpisodeIndicesWorkedValues(t *testing.T) {
	var f contFixture
	cases := []struct {
		name    string
		workers string // one contact a day; "." = no worker
		dupes   []contAtt
		n, m    int64
		upc     *float64
		coc     *float64
		hhi     *float64
		secon   *float64
		mmci    *float64
		hand    int64
	}{
		// N=5, n = (3,1,1): UPC 3/5; COC (11−5)/20; HHI 11/25; SECON 1/4 (A→A only); MMCI 2.1/4.1.
		{name: "AABAC", workers: "AABAC", n: 5, m: 3, upc: contFP(0.6), coc: contFP(0.3), hhi: contFP(0.44), secon: contFP(0.25), mmci: contFP(0.5122), hand: 3},
		// Same counts, different order: only SECON (and hand-offs) see the order.
		{name: "AABB", workers: "AABB", n: 4, m: 2, upc: contFP(0.5), coc: contFP(1.0 / 3), hhi: contFP(0.5), secon: contFP(2.0 / 3), mmci: contFP(2.1 / 3.1), hand: 1},
		{name: "ABAB", workers: "ABAB", n: 4, m: 2, upc: contFP(0.5), coc: contFP(1.0 / 3), hhi: contFP(0.5), secon: contFP(0), mmci: contFP(2.1 / 3.1), hand: 3},
		// One contact: the indices are not defined, except HHI = 1.
		{name: "single", workers: "A", n: 1, m: 1, hhi: contFP(1)},
		// Contacts without a worker are left out: A . A . B is the sequence A A B.
		{name: "missing workers", workers: "A.A.B", n: 3, m: 2, upc: contFP(2.0 / 3), coc: contFP(1.0 / 3), hhi: contFP(5.0 / 9), secon: contFP(0.5), mmci: contFP(1.1 / 2.1), hand: 1},
		// Three rows for one day with worker A are one contact; B the same day is another.
		{name: "same-day duplicates", workers: "AB", dupes: []contAtt{{day: 0, worker: "WA"}, {day: 0, worker: "WA"}, {day: 1, worker: "WB"}},
			n: 2, m: 2, upc: contFP(0.5), coc: contFP(0), hhi: contFP(0.5), secon: contFP(0), mmci: contFP(0.1 / 1.1), hand: 1},
		{name: "no contacts", workers: ""},
	}
	for i, c := range cases {
		id := fmt.Sprintf("r%02d", i)
		f.ref(contRef{id: id, day: 10})
		f.contacts(id, 20, c.workers)
		for _, d := range c.dupes {
			f.atts = append(f.atts, contAtt{ref: id, day: 20 + d.day, setting: "link_worker", status: "attended", worker: d.worker})
		}
	}
	tx := contBuild(t, f, contParams())
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var n, m, hand int64
			var upc, coc, hhi, secon, mmci contNF
			err := tx.QueryRow(`SELECT worker_contacts, workers, upc, coc, hhi, secon, mmci, handoffs
				FROM episode_metrics WHERE referral_id = ?`, fmt.Sprintf("r%02d", i)).
				Scan(&n, &m, &upc, &coc, &hhi, &secon, &mmci, &hand)
			if err != nil {
				t.Fatal(err)
			}
			if n != c.n || m != c.m || hand != c.hand {
				t.Errorf("N, M, handoffs = %d, %d, %d; want %d, %d, %d", n, m, hand, c.n, c.m, c.hand)
			}
			for _, x := range []struct {
				name string
				got  contNF
				want *float64
			}{{"upc", upc, c.upc}, {"coc", coc, c.coc}, {"hhi", hhi, c.hhi}, {"secon", secon, c.secon}, {"mmci", mmci, c.mmci}} {
				if !contApprox(x.got, x.want) {
					t.Errorf("%s = %s, want %s", x.name, contFmtNF(x.got), contFmtFP(x.want))
				}
			}
		})
	}
}

// TestEpisodeIndexProperties runs random contact sequences (same-day duplicates, missing
// workers, several workers a day) through the SQL and checks every episode against a
// reference computed here from the contact definition, and against the identities and
// bounds the indices must satisfy.
func TestEpisodeIndexProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var f contFixture
	const episodes = 300
	for i := range episodes {
		id := fmt.Sprintf("q%04d", i)
		f.ref(contRef{id: id, day: 0})
		day := 5
		for range rng.IntN(14) {
			day += rng.IntN(4) // 0 = same day again
			w := ""
			if rng.IntN(10) > 0 {
				w = "W" + string(rune('A'+rng.IntN(4)))
			}
			f.atts = append(f.atts, contAtt{ref: id, day: day, setting: "link_worker", status: "attended", worker: w})
		}
	}
	want := contReference(f.atts)
	tx := contBuild(t, f, contParams())
	rows, err := tx.Query(`SELECT referral_id, lw_contacts, worker_contacts, workers, upc, coc, hhi, secon, mmci, handoffs
		FROM episode_metrics`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var id string
		var all, n, m, hand int64
		var upc, coc, hhi, secon, mmci contNF
		if err := rows.Scan(&id, &all, &n, &m, &upc, &coc, &hhi, &secon, &mmci, &hand); err != nil {
			t.Fatal(err)
		}
		seen++
		w := want[id]
		if all != w.all || n != w.n || m != w.m || hand != w.handoffs {
			t.Errorf("%s: contacts, N, M, handoffs = %d, %d, %d, %d; want %d, %d, %d, %d", id, all, n, m, hand, w.all, w.n, w.m, w.handoffs)
		}
		for _, x := range []struct {
			name string
			got  contNF
			want *float64
		}{{"upc", upc, w.upc}, {"coc", coc, w.coc}, {"hhi", hhi, w.hhi}, {"secon", secon, w.secon}, {"mmci", mmci, w.mmci}} {
			if !contApprox(x.got, x.want) {
				t.Errorf("%s: %s = %s, want %s", id, x.name, contFmtNF(x.got), contFmtFP(x.want))
			}
		}
		if n < 2 {
			continue
		}
		N, M := float64(n), float64(m)
		const eps = 1e-12
		if !(coc.Float64 <= hhi.Float64+eps && hhi.Float64 <= upc.Float64+eps) {
			t.Errorf("%s: want COC ≤ HHI ≤ UPC, got %v, %v, %v", id, coc.Float64, hhi.Float64, upc.Float64)
		}
		if got := (N*hhi.Float64 - 1) / (N - 1); math.Abs(got-coc.Float64) > 1e-9 {
			t.Errorf("%s: COC %v != (N·HHI − 1)/(N − 1) = %v", id, coc.Float64, got)
		}
		if secon.Float64 > (N-M)/(N-1)+eps {
			t.Errorf("%s: SECON %v > (N − M)/(N − 1) = %v", id, secon.Float64, (N-M)/(N-1))
		}
		if math.Abs(secon.Float64*(N-1)+float64(hand)-(N-1)) > 1e-9 {
			t.Errorf("%s: same pairs + handoffs != N − 1", id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != episodes {
		t.Errorf("episode_metrics has %d rows, want %d", seen, episodes)
	}
}

type contWant struct {
	all, n, m, handoffs        int64
	upc, coc, hhi, secon, mmci *float64
}

// contReference applies the contact definition (attended link-worker rows, once per
// referral, day and worker; ordered by day then first attendance id, which is fixture
// order) and the index formulas of design §5, independently of the SQL.
func contReference(atts []contAtt) map[string]contWant {
	type key struct {
		ref    string
		day    int
		worker string
	}
	seen := map[key]bool{}
	seqs := map[string][]contAtt{}
	for _, a := range atts {
		k := key{a.ref, a.day, a.worker}
		if a.setting != "link_worker" || a.status != "attended" || seen[k] {
			continue
		}
		seen[k] = true
		seqs[a.ref] = append(seqs[a.ref], a)
	}
	out := map[string]contWant{}
	for ref, seq := range seqs {
		// fixture order is already by day within a referral
		var w contWant
		w.all = int64(len(seq))
		counts := map[string]int{}
		prev := ""
		same := 0
		for _, a := range seq {
			if a.worker == "" {
				continue
			}
			w.n++
			counts[a.worker]++
			if prev != "" {
				if prev == a.worker {
					same++
				} else {
					w.handoffs++
				}
			}
			prev = a.worker
		}
		w.m = int64(len(counts))
		N := float64(w.n)
		if w.n >= 1 {
			var sumSq, maxN float64
			for _, c := range counts {
				sumSq += float64(c * c)
				maxN = math.Max(maxN, float64(c))
			}
			w.hhi = contFP(sumSq / (N * N))
			if w.n >= 2 {
				w.upc = contFP(maxN / N)
				w.coc = contFP((sumSq - N) / (N * (N - 1)))
				w.secon = contFP(float64(same) / (N - 1))
				w.mmci = contFP((N - float64(w.m) + 0.1) / (N - 0.9))
			}
		}
		out[ref] = w
	}
	return out
}

func TestTimeToFirstContact(t *testing.T) {
	// data_end is day 366. Referred on day 300 (66 days before data_end), S1 reproduces the
	// hand-worked Kaplan–Meier example of stats: contacts at +2, +5, +5, +10; closed without
	// contact at +3, +5, +8, +12 (censored there); one still open (censored at +66).
	// S(10) = 8/9 · 5/7 · 2/3 ≈ 0.423 → median 10; S never reaches 0.1 → p90 NULL.
	var f contFixture
	for i, c := range []struct {
		contact, closed int // day offsets from 300; -1 = none
		outcome         string
	}{
		{2, -1, ""}, {-1, 3, "declined"}, {5, -1, ""}, {5, -1, ""}, {-1, 5, "not_contactable"},
		{-1, 8, "declined"}, {10, -1, ""}, {-1, 12, "declined"}, {-1, -1, "pending"},
	} {
		id := fmt.Sprintf("k%d", i)
		r := contRef{id: id, day: 300, outcome: c.outcome}
		if c.closed >= 0 {
			r.closedDay = contIntp(300 + c.closed)
		}
		f.ref(r)
		if c.contact >= 0 {
			f.contacts(id, 300+c.contact, "A")
		}
	}
	// S2: first contact after data_end is not yet observed: censored at data_end.
	f.ref(contRef{id: "late", scheme: "S2", day: 300})
	f.contacts("late", 370, "A")
	// S2: referred after data_end: not in the estimate at all.
	f.ref(contRef{id: "future", scheme: "S2", day: 380})
	// S3: every referral contacted, at +1..+4: S = 3/4, 1/2, 1/4, 0 → median 2, p90 4.
	for i := range 4 {
		id := fmt.Sprintf("s3-%d", i)
		f.ref(contRef{id: id, scheme: "S3", day: 300})
		f.contacts(id, 301+i, "A")
	}
	tx := contBuild(t, f, contParams())

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
	var f contFixture
	n := 0
	add := func(scheme string, contacts, episodes int) {
		for range episodes {
			id := fmt.Sprintf("%s-%03d", scheme, n)
			n++
			f.ref(contRef{id: id, scheme: scheme, day: 10, outcome: "closed", closedDay: contIntp(200)})
			f.contacts(id, 20, strings.Repeat("A", contacts))
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
	f.ref(contRef{id: "open", scheme: "CAP", day: 10})
	f.contacts("open", 300, "AAAAAAA")
	// Closed by dormancy: last contact more than 90 days before data_end.
	f.ref(contRef{id: "dormant", scheme: "CAP", day: 10})
	f.contacts("dormant", 20, "AAAAAA")
	p := contParams()
	p.Schemes = []Scheme{{ID: "CAP", Name: "Capped", SessionCap: 6}, {ID: "FLEX", Name: "Flexible"}}
	tx := contBuild(t, f, p)

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
	var reading string
	if err := tx.QueryRow(`SELECT reading FROM archetype_signals WHERE scheme_id = 'CAP' AND period = 'all'
		AND signal = 'cap_heaping_detected'`).Scan(&reading); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Contacts clustered at 6 sessions",
		// shares and the ratio are worked from published counts (21 of 28 → 20 of 30; 3 at 5 is suppressed)
		"67% of closed episodes with a contact ended at exactly 6", "an undisclosed share at 5", "0% at 7",
		"heaping ratio not published: small counts", "0.0% went beyond 6", "the signature of a fixed session cap. It cannot"} {
		if !strings.Contains(reading, s) {
			t.Errorf("reading %q lacks %q", reading, s)
		}
	}
}

func TestReReferralAndRetention(t *testing.T) {
	// data_end is day 366.
	var f contFixture
	// X: E1 ends on day 25 with worker B; E2 (day 60, 35 days later) starts with B.
	f.ref(contRef{id: "x1", person: "X", day: 10})
	f.contacts("x1", 20, "A")
	f.contacts("x1", 25, "B")
	f.ref(contRef{id: "x2", person: "X", day: 60})
	f.contacts("x2", 70, "BC")
	// Y: E3 closed without contact on day 15; E4 185 days later, never contacted.
	f.ref(contRef{id: "y1", person: "Y", day: 10, outcome: "declined", closedDay: contIntp(15)})
	f.ref(contRef{id: "y2", person: "Y", day: 200})
	// Z: re-referred to another scheme only: not a re-referral to this one.
	f.ref(contRef{id: "z1", person: "Z", day: 10})
	f.contacts("z1", 12, "A")
	f.ref(contRef{id: "z2", person: "Z", scheme: "S2", day: 40})
	// V: back after 20 days to a different first worker.
	f.ref(contRef{id: "v1", person: "V", day: 100})
	f.contacts("v1", 100, "AA")
	f.ref(contRef{id: "v2", person: "V", day: 121})
	f.contacts("v2", 121, "C")
	tx := contBuild(t, f, contParams())

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
	// FUN, 2024-Q1: P1 contacted 30 of 100 within 90 days, P2 70 of 100; average 0.5.
	// At n = 100 the limits are 0.5 ± z·0.05: 95% 0.402002–0.597998, 99.8% 0.345488–0.654512,
	// so P1 is a low and P2 a high 99.8% outlier. P4 is configured but never referred.
	var f contFixture
	for _, pr := range []struct {
		code      string
		contacted int
	}{{"P1", 30}, {"P2", 70}} {
		for i := range 100 {
			id := fmt.Sprintf("%s-%03d", pr.code, i)
			f.ref(contRef{id: id, scheme: "FUN", practice: pr.code, day: i % 60, source: []string{"gp", "gp", "self", "nurse"}[i%4]})
			if i < pr.contacted {
				f.contacts(id, i%60+30, "A")
			} else if i < pr.contacted+5 {
				f.contacts(id, i%60+120, "A") // contacted, but after the 90-day window
			}
		}
	}
	// Registered patients: P1 from SEX = ALL; P2 only by sex (4,000 + 4,000). The 2020
	// extract is further from every period's mid-point and must not be used.
	f.pop = []contPop{
		{"2024-02-01", "P1", "ALL", 10000}, {"2024-02-01", "P1", "MALE", 1}, {"2024-02-01", "P2", "MALE", 4000},
		{"2024-02-01", "P2", "FEMALE", 4000}, {"2020-01-01", "P1", "ALL", 99999}, {"2020-01-01", "P2", "ALL", 99999},
	}
	p := contParams()
	p.Schemes = []Scheme{{ID: "FUN", Name: "Funnel", Practices: []string{"P1", "P2", "P4"}}}
	tx := contBuild(t, f, p)

	type row struct {
		num                                   int64
		den                                   sql.NullInt64
		value, lo95, hi95, lo998, hi998, base contNF
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
		got  contNF
		want float64
	}{{"lower95", p1.lo95, 0.402002}, {"upper95", p1.hi95, 0.597998}, {"lower998", p1.lo998, 0.345488},
		{"upper998", p1.hi998, 0.654512}, {"baseline", p1.base, 0.5}} {
		if !x.got.Valid || math.Abs(x.got.Float64-x.want) > 1e-6 {
			t.Errorf("P1 %s = %s, want %v", x.name, contFmtNF(x.got), x.want)
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
			t.Errorf("%s rate = %v / %v = %v around %v; want %d, %v around %v", c.practice, r.num, r.den, contFmtNF(r.value),
				contFmtNF(r.base), c.den, c.value, av*1000)
		}
		if math.Abs(r.lo998.Float64-want.Lower998) > 1e-9 || math.Abs(r.hi95.Float64-want.Upper95) > 1e-9 || r.outlier.Bool {
			t.Errorf("%s limits %s–%s (95%% upper %s), outlier %v; want %v", c.practice, contFmtNF(r.lo998), contFmtNF(r.hi998),
				contFmtNF(r.hi95), r.outlier, want)
		}
	}
	if p4 := get("P4", "referral_rate"); p4.num != 0 || p4.den.Valid {
		t.Errorf("P4 referral rate = %d / %v; want 0 / NULL (not in the population file)", p4.num, p4.den)
	}

	readings := map[string]string{}
	values := map[string]contNF{}
	rows, err := tx.Query(`SELECT signal, value, reading FROM sig_general_practice WHERE scheme_id = 'FUN' AND period = '2024-Q1'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, reading string
		var v contNF
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
		"gp_referral_share":             {0.5, []string{"50% of referrals with a recorded source came from GPs", "self 25%", "nurse 25%"}},
		"funnel_outliers_contacted":     {2, []string{"2 of 2 practices", "high: P2", "low: P1", "average of 50%"}},
		"funnel_outliers_referral_rate": {0, []string{"0 of 2 practices", "11.1 per 1,000"}},
	} {
		if !values[name].Valid || math.Abs(values[name].Float64-want.value) > 1e-9 {
			t.Errorf("%s = %s, want %v", name, contFmtNF(values[name]), want.value)
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
	var f contFixture
	// quintile 1: COC 1 (AAA) and 1/3 (AABB); quintile 3: COC 0 (AB); no LSOA: COC 1 (AA).
	for _, e := range []struct{ id, lsoa, workers string }{
		{"d1", "E01000001", "AAA"}, {"d2", "E01000001", "AABB"}, {"d3", "E01000002", "AB"}, {"d4", "", "AA"},
	} {
		f.ref(contRef{id: e.id, day: 10, lsoa: e.lsoa})
		f.contacts(e.id, 20, e.workers)
	}
	tx := contBuild(t, f, contParams())
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
	tx := contBuild(t, contFixture{}, contParams())
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
	var f contFixture
	f.ref(contRef{id: "r1", day: 10})
	f.contacts("r1", 12, "AB")
	tx := contBuild(t, f, contParams())
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
	schema, err := Schema()
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
	p := DefaultParams(time.Date(2025, 3, 31, 0, 0, 0, 0, time.UTC))
	p.Schemes = []Scheme{{ID: "S0", SessionCap: 6}, {ID: "S1"}, {ID: "S2"}, {ID: "S3"}, {ID: "S4"}}
	for b.Loop() {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Build(ctx, tx, p); err != nil {
			b.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			b.Fatal(err)
		}
	}
}
