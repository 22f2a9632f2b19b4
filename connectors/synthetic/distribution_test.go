package synthetic

import (
	"math"
	"sort"
	"strings"
	"testing"
	"time"
)

// within fails unless lo ≤ got ≤ hi.
func within(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi || math.IsNaN(got) {
		t.Errorf("%s = %.4g, want within [%g, %g]", what, got, lo, hi)
	} else {
		t.Logf("%s = %.4g", what, got)
	}
}

// TestDistributions checks that one demo-sized run looks like an English ICB's SP data
// and that each scheme carries its link-worker signature.
func TestDistributions(t *testing.T) {
	dir, _ := generate(t, Options{Referrals: 6000, Seed: 11})
	refs, atts := readClean(t, dir)
	m := readManifest(t, dir)
	quint := imdQuintiles(t)
	eps := episodes(refs, atts, quint)
	end, _ := time.Parse("2006-01-02", m.End)

	n := float64(len(refs))
	var byQ [6]float64
	var female, gp, missingEth float64
	var ages []int
	persons := map[string]int{}
	byScheme := map[string][6]float64{}
	for _, r := range refs {
		q := quint[r.lsoa]
		byQ[q]++
		s := byScheme[r.scheme]
		s[q]++
		byScheme[r.scheme] = s
		if r.sex == "F" {
			female++
		}
		if r.source == "gp" {
			gp++
		}
		if r.ethnic == "Z" || r.ethnic == "99" {
			missingEth++
		}
		ages = append(ages, r.age)
		persons[r.person]++
	}
	withLSOA := n - byQ[0]
	for q := 1; q <= 5; q++ {
		within(t, "referral share in IMD quintile "+string(rune('0'+q)), byQ[q]/withLSOA, 0.13, 0.28)
	}
	within(t, "share without an English LSOA", byQ[0]/n, 0.004, 0.025)
	for id, s := range byScheme {
		tot := s[1] + s[2] + s[3] + s[4] + s[5]
		for q := 1; q <= 5; q++ {
			within(t, id+" referral share in quintile "+string(rune('0'+q)), s[q]/tot, 0.08, 0.35)
		}
		within(t, id+" share of referrals", tot/withLSOA, 0.28, 0.39)
	}
	within(t, "female share", female/n, 0.55, 0.61)
	within(t, "GP-referred share", gp/n, 0.60, 0.74)
	within(t, "ethnicity not stated or not known", missingEth/n, 0.05, 0.11)
	within(t, "median age", float64(median(ages)), 50, 60)
	sort.Ints(ages)
	within(t, "youngest", float64(ages[0]), 18, 18)
	within(t, "oldest", float64(ages[len(ages)-1]), 90, 97)
	var again float64
	for _, k := range persons {
		again += float64(k - 1)
	}
	within(t, "re-referral share of referrals", again/n, 0.05, 0.12)

	var lwRows, noWorker, booked, dna, attendedLW, dups float64
	type dayKey struct{ ref, day, worker string }
	seen := map[dayKey]bool{}
	for _, a := range atts {
		if a.setting != "link_worker" {
			continue
		}
		lwRows++
		booked++
		if a.worker == "" {
			noWorker++
		}
		switch a.status {
		case "dna":
			dna++
		case "attended":
			attendedLW++
			k := dayKey{a.ref, a.date.String(), a.worker}
			if seen[k] {
				dups++
			}
			seen[k] = true
		}
	}
	within(t, "DNA share of booked link-worker sessions", dna/booked, 0.09, 0.16)
	within(t, "link-worker rows without worker_id", noWorker/lwRows, 0.01, 0.03)
	within(t, "same-day duplicate contacts", dups/attendedLW, 0.004, 0.02)

	// Per scheme: waits, hand-offs, continuity and session counts over closed episodes.
	type agg struct {
		waits               []int
		pairs, handoffs     float64
		upcSum, upcN        float64
		closed, at6, above6 float64
		counts              map[int]float64
	}
	per := map[string]*agg{}
	for _, e := range eps {
		a := per[e.ref.scheme]
		if a == nil {
			a = &agg{counts: map[int]float64{}}
			per[e.ref.scheme] = a
		}
		if e.contacts > 0 {
			a.waits = append(a.waits, int(e.firstContact.Sub(e.ref.date).Hours()/24))
		}
		for i := 1; i < len(e.workers); i++ {
			a.pairs++
			if e.workers[i] != e.workers[i-1] {
				a.handoffs++
			}
		}
		if len(e.workers) >= 2 {
			n := map[string]int{}
			best := 0
			for _, w := range e.workers {
				n[w]++
				best = max(best, n[w])
			}
			a.upcSum += float64(best) / float64(len(e.workers))
			a.upcN++
		}
		closed := !e.ref.closed.IsZero() || e.ref.outcome == "closed" || (e.contacts > 0 && end.Sub(e.lastContact) > 90*24*time.Hour)
		if closed && e.contacts >= 1 {
			a.closed++
			a.counts[e.contacts]++
			if e.contacts == 6 {
				a.at6++
			}
			if e.contacts > 6 {
				a.above6++
			}
		}
	}
	s1, s2, s3 := per["SP01"], per["SP02"], per["SP03"]
	if s1 == nil || s2 == nil || s3 == nil {
		t.Fatalf("schemes missing: %v", per)
	}
	within(t, "SP01 median wait (days)", float64(median(s1.waits)), 6, 10)
	within(t, "SP02 median wait (days)", float64(median(s2.waits)), 27, 35)
	within(t, "SP03 median wait (days)", float64(median(s3.waits)), 12, 17)
	within(t, "SP01 hand-off rate", s1.handoffs/s1.pairs, 0.08, 0.25)
	within(t, "SP02 hand-off rate", s2.handoffs/s2.pairs, 0.32, 0.48)
	within(t, "SP03 hand-off rate", s3.handoffs/s3.pairs, 0.15, 0.35)
	within(t, "SP01 mean UPC (N ≥ 2)", s1.upcSum/s1.upcN, 0.85, 0.97)
	within(t, "SP02 mean UPC (N ≥ 2)", s2.upcSum/s2.upcN, 0.5, 0.8)
	within(t, "SP02 closed episodes at the cap of 6", s2.at6/s2.closed, 0.30, 0.55)
	within(t, "SP02 closed episodes above the cap", s2.above6/s2.closed, 0, 0.01)
	within(t, "SP02 heaping ratio n6 / mean(n5, n7)", s2.counts[6]/((s2.counts[5]+s2.counts[7])/2), 4, math.Inf(1))
	within(t, "SP01 closed episodes above 6 contacts", s1.above6/s1.closed, 0.15, 0.5)
	var long float64
	for k, v := range s1.counts {
		if k >= 15 {
			long += v
		}
	}
	within(t, "SP01 closed episodes with 15+ contacts", long/s1.closed, 0.01, 0.15)
	var ns []int
	for k, v := range s1.counts {
		for i := 0; i < int(v); i++ {
			ns = append(ns, k)
		}
	}
	within(t, "SP01 median contacts (closed, contacted)", float64(median(ns)), 4, 6)
	for _, id := range []string{"SP01", "SP03"} {
		h := per[id].counts[6] / ((per[id].counts[5] + per[id].counts[7]) / 2)
		within(t, id+" heaping ratio at 6 (no cap planted)", h, 0, 1.6)
	}
}

// TestPopulation checks the registration file: layout, plausible list sizes, ALL equal to
// FEMALE + MALE, CLOSED rows, and that referred people live where practices' patients do.
func TestPopulation(t *testing.T) {
	dir, _ := generate(t, Options{Referrals: 3000, Seed: 5})
	recs := readRecords(t, dir+"/"+PopulationFile)
	if got := strings.Join(recs[0], ","); got+"\n" != populationHeader {
		t.Fatalf("header %q", got)
	}
	m := readManifest(t, dir)
	quint := imdQuintiles(t)
	type key struct{ date, practice, lsoa string }
	all := map[key]int{}
	fm := map[key]int{}
	lists := map[[2]string]int{}
	closed := 0
	for _, r := range recs[1:] {
		if r[0] != "GP_PRAC_PAT_LIST" || len(r[1]) != 9 {
			t.Fatalf("row %v", r)
		}
		if _, err := time.Parse("02Jan2006", r[1][:2]+r[1][2:3]+strings.ToLower(r[1][3:5])+r[1][5:]); err != nil {
			t.Fatalf("EXTRACT_DATE %q: %v", r[1], err)
		}
		n := atoi(t, r[6])
		k := key{r[1], r[2], r[4]}
		switch r[5] {
		case "ALL":
			all[k] = n
			lists[[2]string{r[1], r[2]}] += n
		case "FEMALE", "MALE":
			fm[k] += n
		default:
			t.Fatalf("SEX %q", r[5])
		}
		if r[4] == "CLOSED" {
			closed++
		} else if quint[r[4]] == 0 {
			t.Fatalf("LSOA %q not in IMD 2019", r[4])
		}
	}
	for k, n := range all {
		if fm[k] != n {
			t.Fatalf("%v: ALL %d, FEMALE+MALE %d", k, n, fm[k])
		}
	}
	if closed == 0 || int64(closed) != m.file(PopulationFile).ClosedLSOARows {
		t.Errorf("CLOSED rows %d, manifest %d", closed, m.file(PopulationFile).ClosedLSOARows)
	}
	if len(m.file(PopulationFile).ExtractDates) != 2 {
		t.Errorf("extract dates %v", m.file(PopulationFile).ExtractDates)
	}
	practices := map[string]bool{}
	for k, n := range lists {
		practices[k[1]] = true
		if n < 3000 || n > 20000 {
			t.Errorf("practice %s on %s lists %d patients, want 3,000–20,000", k[1], k[0], n)
		}
	}
	within(t, "practices", float64(len(practices)), 30, 60)
	refs, _ := readClean(t, dir)
	first := m.file(PopulationFile).ExtractDates[0]
	for _, r := range refs {
		if r.lsoa == "" || strings.HasPrefix(r.lsoa, "W") {
			continue
		}
		if all[key{first, r.practice, r.lsoa}] == 0 {
			t.Fatalf("referral %s: no patient of %s is registered in %s", r.id, r.practice, r.lsoa)
		}
	}
}

// TestPlantedGradients fits the design's SII (logit scale, §4) to contacted by IMD
// quintile, as the pipeline will, for five seeds at demo size: the planted direction must
// show with a CI excluding 0 for SP01 (redistributive) and SP02 (inverse care), and SP03's
// CI should include 0 in most seeds.
func TestPlantedGradients(t *testing.T) {
	quint := imdQuintiles(t)
	planted := 5 * math.Log(1.3) // per unit relative rank, quintiles a fifth each
	sp3Flat := 0
	seeds := []uint64{1, 2, 3, 4, 5}
	var vcsNum, vcsDen [3][6]int64
	for _, seed := range seeds {
		dir, _ := generate(t, Options{Referrals: 4500, Seed: seed})
		refs, atts := readClean(t, dir)
		m := readManifest(t, dir)
		end, _ := time.Parse("2006-01-02", m.End)
		eps := episodes(refs, atts, quint)
		var num, den [3][6]int64
		for _, e := range eps {
			s := int(e.ref.scheme[3] - '1')
			if e.quintile == 0 || e.ref.date.AddDate(0, 0, 180).After(end) {
				continue // immature, as the pipeline's 90- and 180-day windows would leave out
			}
			den[s][e.quintile]++
			if e.contacts > 0 {
				num[s][e.quintile]++
			}
			vcsDen[s][e.quintile]++
			if e.vcsAttended {
				vcsNum[s][e.quintile]++
			}
		}
		for s := 0; s < 3; s++ {
			b, lo, hi := siiLogit(num[s], den[s])
			t.Logf("seed %d SP0%d contacted by quintile %v/%v: β %.2f [%.2f, %.2f]", seed, s+1, num[s][1:], den[s][1:], b, lo, hi)
			switch s {
			case 0:
				if !(hi < 0 && -b > planted/2.5 && -b < planted*2.5) {
					t.Errorf("seed %d SP01: β %.2f [%.2f, %.2f], want ≈ %.2f with CI below 0", seed, b, lo, hi, -planted)
				}
			case 1:
				if !(lo > 0 && b > planted/2.5 && b < planted*2.5) {
					t.Errorf("seed %d SP02: β %.2f [%.2f, %.2f], want ≈ %.2f with CI above 0", seed, b, lo, hi, planted)
				}
			case 2:
				if lo <= 0 && hi >= 0 {
					sp3Flat++
				}
				if math.Abs(b) > planted*0.75 {
					t.Errorf("seed %d SP03: β %.2f, want near 0", seed, b)
				}
			}
		}
	}
	if sp3Flat < len(seeds)-1 {
		t.Errorf("SP03's CI includes 0 in %d of %d seeds, want at least %d", sp3Flat, len(seeds), len(seeds)-1)
	}
	// VCS uptake (per referral) over the five seeds pooled: the same directions.
	for s, want := range []float64{-1, 1, 0} {
		b, lo, hi := siiLogit(vcsNum[s], vcsDen[s])
		t.Logf("pooled SP0%d VCS uptake by quintile %v/%v: β %.2f [%.2f, %.2f]", s+1, vcsNum[s][1:], vcsDen[s][1:], b, lo, hi)
		if want < 0 && hi >= 0 || want > 0 && lo <= 0 || want == 0 && math.Abs(b) > planted*0.75 {
			t.Errorf("SP0%d VCS uptake β %.2f [%.2f, %.2f] against the planted direction", s+1, b, lo, hi)
		}
	}
}
