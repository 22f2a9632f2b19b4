package synthetic

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/socrx/socrx/connectors"
)

// TestGPLeavesPlatformFilesAlone: the GP records draw from their own stream, so every
// platform file is byte-identical with and without them; the GP files are reproducible.
func TestGPLeavesPlatformFilesAlone(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opt   Options
		files []string
	}{
		{"clean", Options{Referrals: 3000, Seed: 5}, []string{ReferralsFile, AttendancesFile, PopulationFile}},
		{"messy with outcomes", Options{Referrals: 3000, Seed: 6, Messy: 0.05, Outcomes: true},
			[]string{ReferralsFile, AttendancesFile, PopulationFile, OutcomesFile, AttendancesUSFile}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			off, _ := generate(t, tc.opt)
			tc.opt.GP = true
			on, s := generate(t, tc.opt)
			for _, name := range tc.files {
				x, err1 := os.ReadFile(filepath.Join(off, name))
				y, err2 := os.ReadFile(filepath.Join(on, name))
				if err1 != nil || err2 != nil {
					t.Fatalf("%s: %v %v", name, err1, err2)
				}
				if !bytes.Equal(x, y) {
					t.Errorf("%s differs with GP records on", name)
				}
			}
			again, _ := generate(t, tc.opt)
			for _, name := range []string{GPEventsFile, GPPatientsFile} {
				x, err1 := os.ReadFile(filepath.Join(on, name))
				y, err2 := os.ReadFile(filepath.Join(again, name))
				if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
					t.Errorf("%s differs between two runs with the same seed (%v %v)", name, err1, err2)
				}
				if _, err := os.Stat(filepath.Join(off, name)); !os.IsNotExist(err) {
					t.Errorf("%s written without GP: %v", name, err)
				}
				if got, want := int64(len(readLines(t, filepath.Join(on, name)))-1), s.Manifest.file(name).Rows; got != want {
					t.Errorf("%s: %d rows, manifest says %d", name, got, want)
				}
			}
			if readManifest(t, off).GP != nil || readManifest(t, on).GP == nil {
				t.Error("the manifest's gp section should be there exactly when GP records are")
			}
		})
	}
}

type gpRegistration struct {
	practice string
	from, to time.Time // to zero when open
	lsoa     string
}

type gpEvent struct {
	person, practice, code string
	date                   time.Time
}

// readGP reads the GP files as the contract (design §3.6, §3.7) describes them,
// failing on anything the ingest would quarantine.
func readGP(t *testing.T, dir string) (map[string][]gpRegistration, []gpEvent) {
	t.Helper()
	pat := readRecords(t, filepath.Join(dir, GPPatientsFile))
	if got := pat[0]; len(got) != 8 || got[0] != "person_id" || got[2] != "registered_from" || got[6] != "birth_month" {
		t.Fatalf("gp_patients header %v", got)
	}
	month := regexp.MustCompile(`^(19|20)\d\d-(0[1-9]|1[0-2])$`)
	sexes, eths := allowed("gp_patients", "sex"), allowed("gp_patients", "ethnic_category")
	regs := map[string][]gpRegistration{}
	keys := map[string]bool{}
	for i, rec := range pat[1:] {
		line := i + 2
		r := gpRegistration{practice: rec[1], lsoa: rec[4]}
		var ok bool
		if r.from, ok = ukDate(rec[2]); !ok {
			t.Fatalf("gp_patients line %d: registered_from %q", line, rec[2])
		}
		if rec[3] != "" {
			if r.to, ok = ukDate(rec[3]); !ok || !r.to.After(r.from) {
				t.Fatalf("gp_patients line %d: registered_to %q", line, rec[3])
			}
		}
		if !sexes[rec[5]] || !month.MatchString(rec[6]) || !eths[rec[7]] {
			t.Fatalf("gp_patients line %d: %v", line, rec)
		}
		if k := rec[0] + "|" + rec[1] + "|" + rec[2]; keys[k] {
			t.Fatalf("gp_patients line %d: registration %s repeated", line, k)
		} else {
			keys[k] = true
		}
		regs[rec[0]] = append(regs[rec[0]], r)
	}
	evs := readRecords(t, filepath.Join(dir, GPEventsFile))
	if got := evs[0]; len(got) != 5 || got[3] != "code" || got[4] != "event_id" {
		t.Fatalf("gp_events header %v", got)
	}
	ids := map[string]bool{}
	var out []gpEvent
	for i, rec := range evs[1:] {
		line := i + 2
		e := gpEvent{person: rec[0], practice: rec[1], code: rec[3]}
		var ok bool
		if e.date, ok = ukDate(rec[2]); !ok {
			t.Fatalf("gp_events line %d: event_date %q", line, rec[2])
		}
		if !connectors.ValidCode(e.code, "snomed") {
			t.Fatalf("gp_events line %d: code %q is not a SNOMED CT concept id", line, e.code)
		}
		if ids[rec[4]] {
			t.Fatalf("gp_events line %d: event_id %s repeated", line, rec[4])
		}
		ids[rec[4]] = true
		if !registered(regs[e.person], e.practice, e.date) {
			t.Fatalf("gp_events line %d: %s not registered at %s on %s (would be not_registered)", line, e.person, e.practice, rec[2])
		}
		out = append(out, e)
	}
	return regs, out
}

func registered(regs []gpRegistration, practice string, d time.Time) bool {
	for _, r := range regs {
		if r.practice == practice && !d.Before(r.from) && (r.to.IsZero() || !d.After(r.to)) {
			return true
		}
	}
	return false
}

// TestGPRecords checks the GP files against the contract and the platform's people, and
// recovers every planted truth from the files alone.
func TestGPRecords(t *testing.T) {
	dir, s := generate(t, Options{Referrals: 20000, Seed: 11, GP: true})
	m := s.Manifest.GP
	regs, events := readGP(t, dir)
	refs, _ := readClean(t, dir)
	end, _ := time.Parse("2006-01-02", s.Manifest.End)

	// Linked data: each platform referral's person is on the list at its practice.
	platform := map[string]bool{}
	for _, r := range refs {
		platform[r.person] = true
		if !registered(regs[r.person], r.practice, r.date) {
			t.Fatalf("referral %s: %s not registered at %s on its date", r.id, r.person, r.practice)
		}
	}
	if len(regs) < 3*len(platform) {
		t.Errorf("%d registered people for %d on the platform: the list should hold never-referred people too", len(regs), len(platform))
	}

	byCode := map[string]int{}
	refCodes := map[string][]time.Time{}
	declines := map[string][]time.Time{}
	for _, e := range events {
		byCode[e.code]++
		switch e.code {
		case m.ReferralCode:
			refCodes[e.person] = append(refCodes[e.person], e.date)
		case m.DeclinedCode:
			declines[e.person] = append(declines[e.person], e.date)
		}
	}
	for _, c := range append([]CodeOfTerm{{Code: m.ReferralCode}, {Code: m.DeclinedCode}}, m.UnlistedCodes...) {
		if byCode[c.Code] == 0 {
			t.Errorf("no events with code %s", c.Code)
		}
	}
	near := func(ds []time.Time, d time.Time, lo, hi int) bool {
		for _, x := range ds {
			if days := int(x.Sub(d).Hours() / 24); days >= lo && days <= hi {
				return true
			}
		}
		return false
	}

	// (a) under-coding practices
	under := map[string]bool{}
	for _, p := range m.UnderCodingPractices {
		under[p] = true
	}
	var n, coded [2]float64 // 0 under-coders, 1 the rest
	for _, r := range refs {
		if r.source != "gp" {
			continue
		}
		k := 1
		if under[r.practice] {
			k = 0
		}
		n[k]++
		if near(refCodes[r.person], r.date, -m.CodeWindowDays, m.CodeWindowDays) {
			coded[k]++
		}
	}
	within(t, "coded share at under-coding practices", coded[0]/n[0], m.UnderCodedProb-0.1, m.UnderCodedProb+0.1)
	within(t, "coded share elsewhere", coded[1]/n[1], m.CodedProb-0.05, m.CodedProb+0.05)

	// (b) declines by IMD quintile, over referral codes whose 90 days are in the data
	quint := imdQuintiles(t)
	var codes, declined [6]float64
	var total, gpOnly float64
	for person, ds := range refCodes {
		for _, d := range ds {
			total++
			if !platform[person] {
				gpOnly++
			}
			if d.AddDate(0, 0, m.DeclineWindowDays).After(end) {
				continue
			}
			q := quint[regs[person][0].lsoa]
			codes[q]++
			if near(declines[person], d, 1, m.DeclineWindowDays) {
				declined[q]++
			}
		}
	}
	for q := 1; q <= 5; q++ {
		want := m.DeclineByQuintile[q-1]
		within(t, "decline share in quintile "+string(rune('0'+q)), declined[q]/codes[q], want-0.07, want+0.07)
	}
	if declined[1]/codes[1]-declined[5]/codes[5] < 0.1 {
		t.Errorf("declines should rise with deprivation: %.3f in the most deprived, %.3f in the least",
			declined[1]/codes[1], declined[5]/codes[5])
	}

	// (c) referrals lost between sectors
	within(t, "share of GP-coded referrals never on the platform", gpOnly/total, m.NeverOnPlatformShare-0.03, m.NeverOnPlatformShare+0.03)
}
