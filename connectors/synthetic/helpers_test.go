package synthetic

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/socrx/socrx/connectors/refdata"
)

// The helpers below re-read generated files the way an independent consumer would:
// they know the contract (design §3), never the generator's internals.

type testReferral struct {
	line                               int
	id, person, scheme, practice       string
	date, closed                       time.Time
	source, reason, outcome, lsoa, sex string
	age                                int
	ethnic                             string
}

type testAttendance struct {
	line                                        int
	id, ref                                     string
	date                                        time.Time
	setting, status, worker, provider, category string
	mode, person                                string
}

func generate(t testing.TB, opt Options) (string, Summary) {
	t.Helper()
	if opt.OutDir == "" {
		opt.OutDir = t.TempDir()
	}
	s, err := Generate(context.Background(), opt)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return opt.OutDir, s
}

func readRecords(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = false
	var out [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, rec)
	}
}

func ukDate(s string) (time.Time, bool) {
	if len(s) != 10 {
		return time.Time{}, false
	}
	d, err := time.Parse("02/01/2006", s)
	return d, err == nil
}

// readClean reads a clean run's referrals and attendances, failing on any unparseable
// date (a clean run has none).
func readClean(t testing.TB, dir string) ([]testReferral, []testAttendance) {
	t.Helper()
	var refs []testReferral
	for i, rec := range readRecords(t, filepath.Join(dir, ReferralsFile))[1:] {
		r := testReferral{line: i + 2, id: rec[0], person: rec[1], scheme: rec[2], practice: rec[3],
			source: rec[5], reason: rec[6], outcome: rec[7], lsoa: rec[9], sex: rec[10], ethnic: rec[12]}
		var ok bool
		if r.date, ok = ukDate(rec[4]); !ok {
			t.Fatalf("referrals line %d: referral_date %q", r.line, rec[4])
		}
		if rec[8] != "" {
			if r.closed, ok = ukDate(rec[8]); !ok {
				t.Fatalf("referrals line %d: closed_date %q", r.line, rec[8])
			}
		}
		age, err := strconv.Atoi(rec[11])
		if err != nil {
			t.Fatalf("referrals line %d: age %q", r.line, rec[11])
		}
		r.age = age
		refs = append(refs, r)
	}
	var atts []testAttendance
	for i, rec := range readRecords(t, filepath.Join(dir, AttendancesFile))[1:] {
		a := testAttendance{line: i + 2, id: rec[0], ref: rec[1], setting: rec[3], status: rec[4], worker: rec[5],
			provider: rec[6], category: rec[7], mode: rec[8], person: rec[9]}
		var ok bool
		if a.date, ok = ukDate(rec[2]); !ok {
			t.Fatalf("attendances line %d: attendance_date %q", a.line, rec[2])
		}
		atts = append(atts, a)
	}
	return refs, atts
}

func readManifest(t testing.TB, dir string) Manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	return m
}

func (m Manifest) file(name string) FileManifest {
	for _, f := range m.Files {
		if f.Name == name {
			return f
		}
	}
	return FileManifest{}
}

// imdQuintiles maps 2011 LSOA codes to national IMD 2019 quintiles.
func imdQuintiles(t testing.TB) map[string]int {
	t.Helper()
	data, err := refdata.ReadFile("imd2019_lsoa11.csv")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	q := map[string]int{}
	for _, r := range recs[1:] {
		d, _ := strconv.Atoi(r[5])
		q[r[0]] = (d + 1) / 2
	}
	return q
}

// testEpisode is a referral's link-worker and VCS history under the design's one contact
// definition (§3.2): attended link_worker rows, once per (date, worker), once per date
// without a worker.
type testEpisode struct {
	ref          *testReferral
	quintile     int
	contacts     int
	workers      []string // per contact with a worker_id, in date order
	firstContact time.Time
	lastContact  time.Time
	vcsAttended  bool
	booked, dnas int
}

func episodes(refs []testReferral, atts []testAttendance, quintiles map[string]int) map[string]*testEpisode {
	eps := make(map[string]*testEpisode, len(refs))
	for i := range refs {
		eps[refs[i].id] = &testEpisode{ref: &refs[i], quintile: quintiles[refs[i].lsoa]}
	}
	type key struct{ ref, day, worker string }
	seen := map[key]bool{}
	sorted := make([]*testAttendance, len(atts))
	for i := range atts {
		sorted[i] = &atts[i]
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].date.Before(sorted[j].date) })
	for _, a := range sorted {
		e := eps[a.ref]
		if e == nil {
			continue
		}
		if a.setting == "vcs" {
			e.vcsAttended = e.vcsAttended || a.status == "attended"
			continue
		}
		e.booked++
		if a.status == "dna" {
			e.dnas++
		}
		if a.status != "attended" {
			continue
		}
		k := key{a.ref, a.date.Format("20060102"), a.worker}
		if seen[k] {
			continue
		}
		seen[k] = true
		if e.contacts == 0 {
			e.firstContact = a.date
		}
		e.contacts++
		e.lastContact = a.date
		if a.worker != "" {
			e.workers = append(e.workers, a.worker)
		}
	}
	return eps
}

// median of ints (lower middle for even n).
func median(xs []int) int {
	if len(xs) == 0 {
		return -1
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	return s[(len(s)-1)/2]
}

// siiLogit fits the design's §4 SII on the logit scale over IMD quintiles 1..5 (1 = most
// deprived): weighted least squares of logit(p_j) on the relative rank b_j, with the
// per-stratum SE from its Wilson interval. It returns β and β's 95% limits; β < 0 means
// higher values in the more deprived.
func siiLogit(num, den [6]int64) (beta, lo, hi float64) {
	const z = 1.959964
	var total float64
	for q := 1; q <= 5; q++ {
		total += float64(den[q])
	}
	var a, b, y, se [6]float64
	cum := 0.0
	for q := 1; q <= 5; q++ {
		n := float64(den[q])
		a[q] = n / total
		b[q] = (cum + n/2) / total
		cum += n
		p := float64(num[q]) / n
		y[q] = math.Log(p / (1 - p))
		// Wilson score interval, then its width on the logit scale.
		c := (p + z*z/(2*n)) / (1 + z*z/n)
		h := z * math.Sqrt(p*(1-p)/n+z*z/(4*n*n)) / (1 + z*z/n)
		l, u := c-h, c+h
		se[q] = (math.Log(u/(1-u)) - math.Log(l/(1-l))) / (2 * z)
	}
	var mb, my float64
	for q := 1; q <= 5; q++ {
		mb += a[q] * b[q]
		my += a[q] * y[q]
	}
	var sxy, sxx float64
	for q := 1; q <= 5; q++ {
		sxy += a[q] * (b[q] - mb) * (y[q] - my)
		sxx += a[q] * (b[q] - mb) * (b[q] - mb)
	}
	beta = sxy / sxx
	var v float64
	for q := 1; q <= 5; q++ {
		c := a[q] * (b[q] - 0.5) / sxx
		v += c * c * se[q] * se[q]
	}
	return beta, beta - z*math.Sqrt(v), beta + z*math.Sqrt(v)
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("integer %q: %v", s, err)
	}
	return n
}
