package synthetic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/socrx/socrx/connectors"
)

var allFiles = []string{ReferralsFile, AttendancesFile, PopulationFile, ManifestFile, AttendancesUSFile}

func TestDeterministic(t *testing.T) {
	opt := Options{Referrals: 2500, Seed: 42, Messy: 0.03}
	a, _ := generate(t, opt)
	b, _ := generate(t, opt)
	opt.Seed = 43
	c, _ := generate(t, opt)
	for _, name := range allFiles {
		x, err1 := os.ReadFile(filepath.Join(a, name))
		y, err2 := os.ReadFile(filepath.Join(b, name))
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", name, err1, err2)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	x, _ := os.ReadFile(filepath.Join(a, ReferralsFile))
	z, _ := os.ReadFile(filepath.Join(c, ReferralsFile))
	if bytes.Equal(x, z) {
		t.Error("a different seed gave the same referrals")
	}
}

// TestMessyKeepsCleanRows: messy mode only adds rows, so the clean run's file is a
// subsequence of the messy one and the extra rows are exactly the planted faults.
func TestMessyKeepsCleanRows(t *testing.T) {
	clean, _ := generate(t, Options{Referrals: 2000, Seed: 9})
	messy, s := generate(t, Options{Referrals: 2000, Seed: 9, Messy: 0.1})
	for _, name := range []string{ReferralsFile, AttendancesFile, PopulationFile} {
		c := readLines(t, filepath.Join(clean, name))
		m := readLines(t, filepath.Join(messy, name))
		i := 0
		for _, l := range m {
			if i < len(c) && l == c[i] {
				i++
			}
		}
		if i != len(c) {
			t.Errorf("%s: only %d of %d clean lines found in order in the messy file", name, i, len(c))
		}
		fm := s.Manifest.file(name)
		if int64(len(m)-1) != fm.Rows || int64(len(c)-1) != fm.CleanRows {
			t.Errorf("%s: %d rows (%d clean in the clean run), manifest says %d rows, %d clean", name, len(m)-1, len(c)-1, fm.Rows, fm.CleanRows)
		}
	}
}

func readLines(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func allowed(kind, col string) map[string]bool {
	for _, c := range connectors.Contract(kind) {
		if c.Name == col {
			m := map[string]bool{}
			for _, a := range c.Allowed {
				m[a] = true
			}
			return m
		}
	}
	return nil
}

// TestCleanRunMeetsContract checks every row of a clean run against design §3 and the
// pathway's own logic (outcomes consistent with contacts, nothing after the data's end).
func TestCleanRunMeetsContract(t *testing.T) {
	dir, s := generate(t, Options{Referrals: 4000, Seed: 3})
	if _, err := os.Stat(filepath.Join(dir, AttendancesUSFile)); !os.IsNotExist(err) {
		t.Errorf("clean run wrote %s", AttendancesUSFile)
	}
	if got := readLines(t, filepath.Join(dir, ReferralsFile))[0] + "\n"; got != referralHeader {
		t.Errorf("referrals header %q", got)
	}
	if got := readLines(t, filepath.Join(dir, AttendancesFile))[0] + "\n"; got != attendanceHeader {
		t.Errorf("attendances header %q", got)
	}
	refs, atts := readClean(t, dir)
	m := s.Manifest
	if len(refs) != 4000 || int64(len(atts)) != s.Attendances || len(m.file(ReferralsFile).FaultyRows) != 0 {
		t.Fatalf("%d referrals, %d attendances; summary %+v", len(refs), len(atts), s)
	}
	start, _ := time.Parse("2006-01-02", m.Start)
	end, _ := time.Parse("2006-01-02", m.End)
	if m.Start != "2023-04-01" || m.End != "2025-03-31" {
		t.Errorf("default span %s – %s, want 2023-04-01 – 2025-03-31", m.Start, m.End)
	}
	quint := imdQuintiles(t)
	schemeOf := map[string]string{} // practice → scheme
	workerOf := map[string]string{} // worker → scheme
	for _, sc := range m.Schemes {
		for _, p := range sc.Practices {
			schemeOf[p] = sc.ID
		}
		for _, w := range sc.Workers {
			workerOf[w] = sc.ID
		}
	}
	enum := func(kind, col, v string, line int) {
		if v != "" && !allowed(kind, col)[v] {
			t.Errorf("%s line %d: %s %q not in the contract", kind, line, col, v)
		}
	}
	ods := regexp.MustCompile(`^[A-Z][0-9]{5}$`)
	byID := map[string]*testReferral{}
	outcomes := map[string]int{}
	for i := range refs {
		r := &refs[i]
		if byID[r.id] != nil {
			t.Fatalf("referral_id %s repeated", r.id)
		}
		byID[r.id] = r
		outcomes[r.outcome]++
		enum("referrals", "referral_source", r.source, r.line)
		enum("referrals", "outcome", r.outcome, r.line)
		enum("referrals", "sex", r.sex, r.line)
		enum("referrals", "ethnic_category", r.ethnic, r.line)
		if !ods.MatchString(r.practice) || schemeOf[r.practice] != r.scheme {
			t.Errorf("line %d: practice %q of scheme %s", r.line, r.practice, r.scheme)
		}
		if r.date.Before(start) || r.date.After(end) {
			t.Errorf("line %d: referral_date %s outside the span", r.line, r.date)
		}
		if !r.closed.IsZero() && (r.closed.Before(r.date) || r.closed.After(end)) {
			t.Errorf("line %d: closed_date %s for referral on %s", r.line, r.closed, r.date)
		}
		if r.lsoa != "" && quint[r.lsoa] == 0 && !strings.HasPrefix(r.lsoa, "W01") {
			t.Errorf("line %d: lsoa_code %q is not an English 2011 LSOA", r.line, r.lsoa)
		}
		if r.age < 18 || r.age > 100 {
			t.Errorf("line %d: age %d", r.line, r.age)
		}
		for _, reason := range strings.Split(r.reason, ";") {
			if !slices.Contains(reasons[:], reason) {
				t.Errorf("line %d: referral_reason %q", r.line, r.reason)
			}
		}
	}
	attIDs := map[string]bool{}
	for _, a := range atts {
		if attIDs[a.id] {
			t.Fatalf("attendance_id %s repeated", a.id)
		}
		attIDs[a.id] = true
		r := byID[a.ref]
		switch {
		case r == nil:
			t.Fatalf("attendances line %d: unknown referral %s", a.line, a.ref)
		case a.person != r.person:
			t.Errorf("attendances line %d: person %s, referral's %s", a.line, a.person, r.person)
		case a.date.Before(r.date) || a.date.After(end):
			t.Errorf("attendances line %d: %s for referral on %s (data end %s)", a.line, a.date, r.date, end)
		}
		enum("attendances", "setting", a.setting, a.line)
		enum("attendances", "status", a.status, a.line)
		enum("attendances", "mode", a.mode, a.line)
		if a.status == "" || a.mode == "" {
			t.Errorf("attendances line %d: empty status or mode", a.line)
		}
		switch a.setting {
		case "link_worker":
			if a.provider != "" || a.category != "" || (a.worker != "" && workerOf[a.worker] != r.scheme) {
				t.Errorf("attendances line %d: link-worker row with provider %q, worker %q of scheme %s", a.line, a.provider, a.worker, r.scheme)
			}
			if a.date.Weekday() == time.Saturday || a.date.Weekday() == time.Sunday {
				t.Errorf("attendances line %d: link-worker session on a %s", a.line, a.date.Weekday())
			}
		case "vcs":
			if a.provider == "" || a.worker != "" || a.category == "" {
				t.Errorf("attendances line %d: VCS row with provider %q, worker %q", a.line, a.provider, a.worker)
			}
		}
	}
	eps := episodes(refs, atts, quint)
	var lastAtt = map[string]time.Time{}
	for _, a := range atts {
		if a.date.After(lastAtt[a.ref]) {
			lastAtt[a.ref] = a.date
		}
	}
	for _, e := range eps {
		r := e.ref
		switch r.outcome {
		case "declined", "not_contactable", "inappropriate":
			if r.closed.IsZero() || e.contacts > 0 {
				t.Errorf("line %d: %s with closed_date %v and %d contacts", r.line, r.outcome, r.closed, e.contacts)
			}
		case "closed":
			if r.closed.IsZero() || e.contacts == 0 || r.closed.Before(lastAtt[r.id]) {
				t.Errorf("line %d: closed on %v, %d contacts, last attendance %v", r.line, r.closed, e.contacts, lastAtt[r.id])
			}
		case "pending", "accepted":
			if !r.closed.IsZero() {
				t.Errorf("line %d: %s with a closed_date", r.line, r.outcome)
			}
		}
	}
	for _, o := range []string{"accepted", "declined", "not_contactable", "inappropriate", "pending", "closed"} {
		if outcomes[o] == 0 {
			t.Errorf("no referral has outcome %s", o)
		}
	}
	t.Logf("outcomes %v", outcomes)
}

// TestMessyManifest classifies every row of a messy run as the ingest would (design §3:
// row rules, then duplicates, orphans and dates before the referral) and compares the
// counts with the manifest: every planted fault is found, and nothing else is faulty.
func TestMessyManifest(t *testing.T) {
	dir, s := generate(t, Options{Referrals: 3000, Seed: 7, Messy: 0.06})
	m := readManifest(t, dir)
	if m.Messy != 0.06 || s.Manifest.Messy != 0.06 {
		t.Fatalf("manifest messy %v", m.Messy)
	}
	future, _ := time.Parse("2006-01-02", m.FutureAfter)
	end, _ := time.Parse("2006-01-02", m.End)
	dateFault := func(v string) string {
		d, ok := ukDate(v)
		switch {
		case !ok:
			return FaultBadDate
		case d.After(future):
			return FaultFutureDate
		case d.After(end):
			return "dated between the data's end and future_after"
		}
		return ""
	}

	refGot := map[string]int64{}
	loaded := map[string][]string{} // referral id → its row
	for i, r := range readRecords(t, filepath.Join(dir, ReferralsFile))[1:] {
		kind := ""
		switch {
		case r[0] == "" || r[1] == "" || r[2] == "" || r[3] == "" || r[4] == "":
			kind = FaultMissingValue
		case dateFault(r[4]) == FaultBadDate || (r[8] != "" && dateFault(r[8]) == FaultBadDate):
			kind = FaultBadDate
		case !allowed("referrals", "referral_source")[r[5]] || !allowed("referrals", "outcome")[r[7]] ||
			!allowed("referrals", "sex")[r[10]] || !allowed("referrals", "ethnic_category")[r[12]]:
			kind = FaultUnknownCode
		case dateFault(r[4]) != "":
			kind = dateFault(r[4])
		case loaded[r[0]] != nil:
			if !slices.Equal(loaded[r[0]], r) {
				t.Fatalf("referrals line %d: id %s repeated with different values", i+2, r[0])
			}
			kind = FaultDuplicateID
		default:
			loaded[r[0]] = slices.Clone(r)
		}
		if kind != "" {
			refGot[kind]++
		}
	}
	attGot := map[string]int64{}
	var attClean int64
	seenAtt := map[string][]string{}
	for i, a := range readRecords(t, filepath.Join(dir, AttendancesFile))[1:] {
		kind := ""
		ref := loaded[a[1]]
		switch {
		case a[0] == "" || a[1] == "" || a[2] == "" || a[3] == "" || a[4] == "":
			kind = FaultMissingValue
		case dateFault(a[2]) == FaultBadDate:
			kind = FaultBadDate
		case !allowed("attendances", "setting")[a[3]] || !allowed("attendances", "status")[a[4]] || !allowed("attendances", "mode")[a[8]]:
			kind = FaultUnknownCode
		case dateFault(a[2]) != "":
			kind = dateFault(a[2])
		case seenAtt[a[0]] != nil:
			if !slices.Equal(seenAtt[a[0]], a) {
				t.Fatalf("attendances line %d: id %s repeated with different values", i+2, a[0])
			}
			kind = FaultDuplicateID
		case ref == nil:
			kind = FaultOrphan
		default:
			ad, _ := ukDate(a[2])
			rd, _ := ukDate(ref[4])
			if ad.Before(rd) {
				kind = FaultBeforeReferral
			} else if a[9] != ref[1] {
				t.Fatalf("attendances line %d: person %s, referral's %s", i+2, a[9], ref[1])
			}
		}
		if seenAtt[a[0]] == nil {
			seenAtt[a[0]] = slices.Clone(a)
		}
		if kind != "" {
			attGot[kind]++
		} else {
			attClean++
		}
	}
	check := func(file string, got map[string]int64, clean int64, kinds []string) {
		fm := m.file(file)
		if clean != fm.CleanRows {
			t.Errorf("%s: %d clean rows found, manifest says %d", file, clean, fm.CleanRows)
		}
		var sum int64
		for _, k := range kinds {
			sum += fm.FaultyRows[k]
			if fm.FaultyRows[k] == 0 {
				t.Errorf("%s: no %s planted", file, k)
			}
		}
		if fm.Rows != fm.CleanRows+sum {
			t.Errorf("%s: rows %d ≠ clean %d + faulty %d", file, fm.Rows, fm.CleanRows, sum)
		}
		if fmt.Sprint(got) != fmt.Sprint(fm.FaultyRows) {
			t.Errorf("%s: faults found %v, manifest %v", file, got, fm.FaultyRows)
		}
		rate := float64(sum) / float64(fm.CleanRows)
		if math.Abs(rate-m.Messy) > 0.02 {
			t.Errorf("%s: fault rate %.3f, asked for %.3f", file, rate, m.Messy)
		}
	}
	check(ReferralsFile, refGot, int64(len(loaded)), referralFaults[:])
	check(AttendancesFile, attGot, attClean, attendanceFaults[:])

	// The US-order file: every date reads as mm/dd/yyyy, and some only that way.
	us := readRecords(t, filepath.Join(dir, AttendancesUSFile))[1:]
	onlyUS := 0
	for _, r := range us {
		if _, err := time.Parse("01/02/2006", r[2]); err != nil {
			t.Fatalf("%s: %q is not a US-order date", AttendancesUSFile, r[2])
		}
		if _, ok := ukDate(r[2]); !ok {
			onlyUS++
		}
	}
	fu := m.file(AttendancesUSFile)
	if int64(len(us)) != fu.Rows || int64(onlyUS) != fu.DayAfter12Rows || onlyUS == 0 || !fu.Refused {
		t.Errorf("%s: %d rows, %d only readable as US dates; manifest %+v", AttendancesUSFile, len(us), onlyUS, fu)
	}
}

// TestFaultKindsAreQuarantineReasons ties the manifest's fault kinds to the ingest's
// quarantine reasons, so the two cannot drift apart.
func TestFaultKindsAreQuarantineReasons(t *testing.T) {
	for _, tc := range []struct{ fault, reason string }{
		{FaultBadDate, connectors.ReasonBadDate},
		{FaultFutureDate, connectors.ReasonFutureDate},
		{FaultDuplicateID, connectors.ReasonDuplicateID},
		{FaultUnknownCode, connectors.ReasonUnknownCode},
		{FaultMissingValue, connectors.ReasonMissing},
		{FaultOrphan, connectors.ReasonOrphan},
		{FaultBeforeReferral, connectors.ReasonBeforeReferral},
	} {
		if tc.fault != tc.reason {
			t.Errorf("fault kind %q, quarantine reason %q", tc.fault, tc.reason)
		}
	}
}

func TestOptionsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		opt  Options
		want string
	}{
		{"no directory", Options{Referrals: 10}, "no output directory"},
		{"no referrals", Options{OutDir: dir}, "referrals must be at least 1"},
		{"one year", Options{OutDir: dir, Referrals: 10, Months: 12}, "at least 24"},
		{"rate above 1", Options{OutDir: dir, Referrals: 10, Messy: 1.5}, "between 0 and 1"},
		{"negative rate", Options{OutDir: dir, Referrals: 10, Messy: -0.1}, "between 0 and 1"},
		{"NaN rate", Options{OutDir: dir, Referrals: 10, Messy: math.NaN()}, "between 0 and 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(context.Background(), tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestCancelledLeavesNothing: a cancelled generation returns the context's error and
// leaves no partial files.
func TestCancelledLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Generate(ctx, Options{OutDir: dir, Referrals: 5000, Messy: 0.1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("files left behind: %v", left)
	}
}

func TestSpanOptions(t *testing.T) {
	_, s := generate(t, Options{Referrals: 500, Seed: 1, Start: time.Date(2022, 1, 15, 13, 0, 0, 0, time.UTC), Months: 36})
	m := s.Manifest
	if m.Start != "2022-01-15" || m.End != "2025-01-14" || m.Months != 36 {
		t.Errorf("span %s – %s (%d months)", m.Start, m.End, m.Months)
	}
	if got := m.file(PopulationFile).ExtractDates; !slices.Equal(got, []string{"01JUL2022", "01JUL2023"}) {
		t.Errorf("extract dates %v", got)
	}
}

func TestHelpTextNamesEveryArchetype(t *testing.T) {
	h := HelpText()
	for _, a := range Archetypes() {
		if !strings.Contains(h, a.ID) || !strings.Contains(h, a.Label) {
			t.Errorf("help text lacks %s (%s)", a.ID, a.Label)
		}
	}
	var share float64
	for _, a := range Archetypes() {
		share += a.Share
	}
	if math.Abs(share-1) > 1e-9 {
		t.Errorf("scheme shares sum to %g", share)
	}
}

// TestStreamingMemory: 200k referrals (about a million attendance rows) must not hold rows
// in memory. The heap is sampled while Generate runs.
func TestStreamingMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes ~100 MB")
	}
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	began := time.Now()
	_, s := generate(t, Options{Referrals: 200_000, Seed: 1, Messy: 0.01})
	took := time.Since(began)
	close(done)
	wg.Wait()
	t.Logf("%d referrals, %d attendances in %v (%.2fM attendance rows/s); peak heap %.1f MB",
		s.Referrals, s.Attendances, took, float64(s.Attendances)/took.Seconds()/1e6, float64(peak.Load())/1e6)
	if peak.Load() > 100<<20 {
		t.Errorf("peak heap %.0f MB, want < 100 MB", float64(peak.Load())/1e6)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{20_000, 1_000_000} {
		b.Run(fmt.Sprintf("referrals=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			var atts int64
			for b.Loop() {
				s, err := Generate(context.Background(), Options{OutDir: dir, Referrals: n, Seed: 1})
				if err != nil {
					b.Fatal(err)
				}
				atts = s.Attendances
			}
			b.ReportMetric(float64(atts)*float64(b.N)/b.Elapsed().Seconds(), "attendances/s")
		})
	}
}

// TestAttendancesPerReferral: the volume option adds VCS sessions and nothing else, so
// link-worker contacts per referral and the share of referrals with a VCS session keep
// their natural values while attendance rows per referral rise toward the target.
func TestAttendancesPerReferral(t *testing.T) {
	count := func(dir string) (refs, atts, lw, vcsRefs float64) {
		refs = float64(len(readRecords(t, filepath.Join(dir, ReferralsFile))) - 1)
		seen := map[string]bool{}
		for i, rec := range readRecords(t, filepath.Join(dir, AttendancesFile)) {
			if i == 0 {
				continue
			}
			atts++
			switch rec[3] {
			case "link_worker":
				lw++
			case "vcs":
				seen[rec[1]] = true
			}
		}
		return refs, atts, lw, float64(len(seen))
	}
	natural, _ := generate(t, Options{Referrals: 20000, Seed: 7})
	heavy, _ := generate(t, Options{Referrals: 20000, Seed: 7, AttendancesPerReferral: 12})
	r0, a0, lw0, v0 := count(natural)
	r1, a1, lw1, v1 := count(heavy)
	if a0/r0 > 5.5 || a1/r1 < 9 || a1/r1 > 12 {
		t.Errorf("attendances per referral: %.2f natural, %.2f with a target of 12; want under 5.5 and 9–12", a0/r0, a1/r1)
	}
	if d := math.Abs(lw1/r1-lw0/r0) / (lw0 / r0); d > 0.03 {
		t.Errorf("link-worker rows per referral moved %.1f%%: %.3f → %.3f", 100*d, lw0/r0, lw1/r1)
	}
	if d := math.Abs(v1/r1 - v0/r0); d > 0.02 {
		t.Errorf("share of referrals with a VCS session moved by %.3f: %.3f → %.3f", d, v0/r0, v1/r1)
	}
}
