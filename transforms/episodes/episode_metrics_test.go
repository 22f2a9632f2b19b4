package episodes_test

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/socrx/socrx/transforms/modeltest"
)

func TestEpisodeIndicesWorkedValues(t *testing.T) {
	t.Parallel()
	var f modeltest.Timeline
	cases := []struct {
		name    string
		workers string // one contact a day; "." = no worker
		dupes   []modeltest.Att
		n, m    int64
		upc     *float64
		coc     *float64
		hhi     *float64
		secon   *float64
		mmci    *float64
		hand    int64
	}{
		// N=5, n = (3,1,1): UPC 3/5; COC (11−5)/20; HHI 11/25; SECON 1/4 (A→A only); MMCI 2.1/4.1.
		{name: "AABAC", workers: "AABAC", n: 5, m: 3, upc: modeltest.F(0.6), coc: modeltest.F(0.3), hhi: modeltest.F(0.44), secon: modeltest.F(0.25), mmci: modeltest.F(0.5122), hand: 3},
		// Same counts, different order: only SECON (and hand-offs) see the order.
		{name: "AABB", workers: "AABB", n: 4, m: 2, upc: modeltest.F(0.5), coc: modeltest.F(1.0 / 3), hhi: modeltest.F(0.5), secon: modeltest.F(2.0 / 3), mmci: modeltest.F(2.1 / 3.1), hand: 1},
		{name: "ABAB", workers: "ABAB", n: 4, m: 2, upc: modeltest.F(0.5), coc: modeltest.F(1.0 / 3), hhi: modeltest.F(0.5), secon: modeltest.F(0), mmci: modeltest.F(2.1 / 3.1), hand: 3},
		// One contact: the indices are not defined, except HHI = 1.
		{name: "single", workers: "A", n: 1, m: 1, hhi: modeltest.F(1)},
		// Contacts without a worker are left out: A . A . B is the sequence A A B.
		{name: "missing workers", workers: "A.A.B", n: 3, m: 2, upc: modeltest.F(2.0 / 3), coc: modeltest.F(1.0 / 3), hhi: modeltest.F(5.0 / 9), secon: modeltest.F(0.5), mmci: modeltest.F(1.1 / 2.1), hand: 1},
		// Three rows for one day with worker A are one contact; B the same day is another.
		{name: "same-day duplicates", workers: "AB", dupes: []modeltest.Att{{Day: 0, Worker: "WA"}, {Day: 0, Worker: "WA"}, {Day: 1, Worker: "WB"}},
			n: 2, m: 2, upc: modeltest.F(0.5), coc: modeltest.F(0), hhi: modeltest.F(0.5), secon: modeltest.F(0), mmci: modeltest.F(0.1 / 1.1), hand: 1},
		{name: "no contacts", workers: ""},
	}
	for i, c := range cases {
		id := fmt.Sprintf("r%02d", i)
		f.AddRef(modeltest.Ref{ID: id, Day: 10})
		f.Contacts(id, 20, c.workers)
		for _, d := range c.dupes {
			f.Atts = append(f.Atts, modeltest.Att{Ref: id, Day: 20 + d.Day, Setting: "link_worker", Status: "attended", Worker: d.Worker})
		}
	}
	tx := modeltest.BuildTimeline(t, f, modeltest.Params())
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var n, m, hand int64
			var upc, coc, hhi, secon, mmci sql.NullFloat64
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
				got  sql.NullFloat64
				want *float64
			}{{"upc", upc, c.upc}, {"coc", coc, c.coc}, {"hhi", hhi, c.hhi}, {"secon", secon, c.secon}, {"mmci", mmci, c.mmci}} {
				if !modeltest.Approx(x.got, x.want) {
					t.Errorf("%s = %s, want %s", x.name, modeltest.FmtNF(x.got), modeltest.FmtFP(x.want))
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
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	var f modeltest.Timeline
	const episodes = 300
	for i := range episodes {
		id := fmt.Sprintf("q%04d", i)
		f.AddRef(modeltest.Ref{ID: id, Day: 0})
		day := 5
		for range rng.IntN(14) {
			day += rng.IntN(4) // 0 = same day again
			w := ""
			if rng.IntN(10) > 0 {
				w = "W" + string(rune('A'+rng.IntN(4)))
			}
			f.Atts = append(f.Atts, modeltest.Att{Ref: id, Day: day, Setting: "link_worker", Status: "attended", Worker: w})
		}
	}
	want := contReference(f.Atts)
	tx := modeltest.BuildTimeline(t, f, modeltest.Params())
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
		var upc, coc, hhi, secon, mmci sql.NullFloat64
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
			got  sql.NullFloat64
			want *float64
		}{{"upc", upc, w.upc}, {"coc", coc, w.coc}, {"hhi", hhi, w.hhi}, {"secon", secon, w.secon}, {"mmci", mmci, w.mmci}} {
			if !modeltest.Approx(x.got, x.want) {
				t.Errorf("%s: %s = %s, want %s", id, x.name, modeltest.FmtNF(x.got), modeltest.FmtFP(x.want))
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
func contReference(atts []modeltest.Att) map[string]contWant {
	type key struct {
		ref    string
		day    int
		worker string
	}
	seen := map[key]bool{}
	seqs := map[string][]modeltest.Att{}
	for _, a := range atts {
		k := key{a.Ref, a.Day, a.Worker}
		if a.Setting != "link_worker" || a.Status != "attended" || seen[k] {
			continue
		}
		seen[k] = true
		seqs[a.Ref] = append(seqs[a.Ref], a)
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
			if a.Worker == "" {
				continue
			}
			w.n++
			counts[a.Worker]++
			if prev != "" {
				if prev == a.Worker {
					same++
				} else {
					w.handoffs++
				}
			}
			prev = a.Worker
		}
		w.m = int64(len(counts))
		N := float64(w.n)
		if w.n >= 1 {
			var sumSq, maxN float64
			for _, c := range counts {
				sumSq += float64(c * c)
				maxN = math.Max(maxN, float64(c))
			}
			w.hhi = modeltest.F(sumSq / (N * N))
			if w.n >= 2 {
				w.upc = modeltest.F(maxN / N)
				w.coc = modeltest.F((sumSq - N) / (N * (N - 1)))
				w.secon = modeltest.F(float64(same) / (N - 1))
				w.mmci = modeltest.F((N - float64(w.m) + 0.1) / (N - 0.9))
			}
		}
		out[ref] = w
	}
	return out
}
