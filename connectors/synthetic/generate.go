package synthetic

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Options controls one generation.
type Options struct {
	OutDir    string    // created if missing
	Referrals int       // clean referral rows to write (≥ 1)
	Seed      uint64    // same seed and options → byte-identical files
	Messy     float64   // 0..1: chance of one planted faulty row after each clean row
	Start     time.Time // first day of the span; default 2023-04-01
	Months    int       // length of the span; default 24, at least 24
	// AttendancesPerReferral, when set, lengthens the VCS runs of people taking up VCS
	// (weekly group sessions) toward this many attendance rows per referral, for
	// benchmarks at a given volume; runs cut short by the end of the span leave the mean
	// below it (a target of 12 gives about 9.7). 0 keeps the natural mix (about 4.6).
	AttendancesPerReferral float64
	// Outcomes writes outcomes.csv: wellbeing assessments (SWEMWBS and ONS anxiety) at the
	// first contact and some months later, with the planted truths of OutcomesManifest.
	Outcomes bool
	// GP writes gp_patients.csv and gp_events.csv: the practices' registered list and
	// their coded SP events, linked to the platform's people, with the planted truths of
	// GPManifest.
	GP bool
}

// File names written into Options.OutDir.
const (
	ReferralsFile     = "referrals.csv"
	AttendancesFile   = "attendances.csv"
	PopulationFile    = "population.csv"
	ManifestFile      = "manifest.json"
	AttendancesUSFile = "attendances_us.csv"
	OutcomesFile      = "outcomes.csv"
	GPEventsFile      = "gp_events.csv"
	GPPatientsFile    = "gp_patients.csv"
)

// Headers of the written extracts (design §3.1, §3.2 and NHS England's layout).
const (
	referralHeader   = "referral_id,person_id,scheme_id,practice_code,referral_date,referral_source,referral_reason,outcome,closed_date,lsoa_code,sex,age,ethnic_category\n"
	attendanceHeader = "attendance_id,referral_id,attendance_date,setting,status,worker_id,provider_id,activity_category,mode,person_id\n"
	populationHeader = "PUBLICATION,EXTRACT_DATE,PRACTICE_CODE,PRACTICE_NAME,LSOA_CODE,SEX,NUMBER_OF_PATIENTS\n"
)

// usRows is how many clean attendances are repeated in attendances_us.csv: enough for
// days after the 12th to appear, few enough to stay a side file.
const usRows = 1000

// futureYears separates planted future dates from the span's end, so that a run whose
// logical date is a little after the data (or today) still sees them as future.
const futureYears = 5

func (o *Options) defaults() error {
	if o.Start.IsZero() {
		o.Start = time.Date(2023, time.April, 1, 0, 0, 0, 0, time.UTC)
	}
	o.Start = time.Date(o.Start.Year(), o.Start.Month(), o.Start.Day(), 0, 0, 0, 0, time.UTC)
	if o.Months == 0 {
		o.Months = 24
	}
	switch {
	case o.OutDir == "":
		return errors.New("no output directory")
	case o.Referrals < 1:
		return fmt.Errorf("referrals must be at least 1, got %d", o.Referrals)
	case o.Months < 24:
		return fmt.Errorf("months must be at least 24 (two years, so that follow-up windows and re-referrals show), got %d", o.Months)
	case o.Messy < 0 || o.Messy > 1 || math.IsNaN(o.Messy):
		return fmt.Errorf("messy must be a rate between 0 and 1, got %g", o.Messy)
	case o.Start.Year() < 1950 || o.Start.Year() > 2150:
		return fmt.Errorf("start %s is outside 1950–2150", o.Start.Format("2006-01-02"))
	}
	return nil
}

// Generate writes referrals.csv, attendances.csv, population.csv and manifest.json (and
// attendances_us.csv in messy mode) into opt.OutDir. Files appear only when all are
// complete: each is written under a temporary name and renamed at the end.
func Generate(ctx context.Context, opt Options) (Summary, error) {
	if err := opt.defaults(); err != nil {
		return Summary{}, fmt.Errorf("generating synthetic extracts: %w", err)
	}
	if err := os.MkdirAll(opt.OutDir, 0o750); err != nil {
		return Summary{}, fmt.Errorf("creating %s: %w", opt.OutDir, err)
	}
	g, err := newGenerator(opt)
	if err != nil {
		return Summary{}, fmt.Errorf("generating synthetic extracts: %w", err)
	}
	out := &outputs{dir: opt.OutDir}
	defer out.abort()
	s, err := g.run(ctx, out)
	if err != nil {
		return Summary{}, fmt.Errorf("generating synthetic extracts: %w", err)
	}
	if err := out.commit(); err != nil {
		return Summary{}, err
	}
	s.Files = out.final
	return s, nil
}

// outputs tracks the temporary files of one generation so that a failure or a cancelled
// context leaves no partial extract behind.
type outputs struct {
	dir   string
	files []*outFile
	final []string
}

type outFile struct {
	f    *os.File
	w    *bufio.Writer
	tmp  string
	path string
}

func (o *outputs) create(name string) (*bufio.Writer, error) {
	path := filepath.Join(o.dir, name)
	tmp := filepath.Join(o.dir, "."+name+".tmp")
	// Patient-level (if pseudonymised) rows: never world-readable.
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", name, err)
	}
	of := &outFile{f: f, w: bufio.NewWriterSize(f, 1<<20), tmp: tmp, path: path}
	o.files = append(o.files, of)
	return of.w, nil
}

func (o *outputs) commit() error {
	for _, of := range o.files {
		if err := of.w.Flush(); err != nil {
			return fmt.Errorf("writing %s: %w", of.path, err)
		}
		if err := of.f.Close(); err != nil {
			return fmt.Errorf("closing %s: %w", of.path, err)
		}
		of.f = nil
	}
	for _, of := range o.files {
		if err := os.Rename(of.tmp, of.path); err != nil {
			return fmt.Errorf("renaming %s: %w", of.path, err)
		}
		o.final = append(o.final, of.path)
	}
	o.files = nil
	return nil
}

// abort removes whatever commit did not finish; harmless after a commit.
func (o *outputs) abort() {
	for _, of := range o.files {
		if of.f != nil {
			_ = of.f.Close()
		}
		_ = os.Remove(of.tmp)
	}
	o.files = nil
}

func (g *generator) run(ctx context.Context, out *outputs) (Summary, error) {
	popW, err := out.create(PopulationFile)
	if err != nil {
		return Summary{}, err
	}
	popFile := g.writePopulation(popW)
	if g.refW, err = out.create(ReferralsFile); err != nil {
		return Summary{}, err
	}
	if g.attW, err = out.create(AttendancesFile); err != nil {
		return Summary{}, err
	}
	if g.f != nil {
		if g.usW, err = out.create(AttendancesUSFile); err != nil {
			return Summary{}, err
		}
		g.usW.WriteString(attendanceHeader)
	}
	if g.opt.Outcomes {
		if g.outW, err = out.create(OutcomesFile); err != nil {
			return Summary{}, err
		}
		g.outW.WriteString(outcomeHeader)
	}
	if g.opt.GP {
		ev, err := out.create(GPEventsFile)
		if err != nil {
			return Summary{}, err
		}
		pat, err := out.create(GPPatientsFile)
		if err != nil {
			return Summary{}, err
		}
		ev.WriteString(gpEventsHeader)
		pat.WriteString(gpPatientsHeader)
		g.gp = newGPState(g, ev, pat)
	}
	g.refW.WriteString(referralHeader)
	g.attW.WriteString(attendanceHeader)
	if err := g.stream(ctx); err != nil {
		return Summary{}, err
	}
	if g.gp != nil {
		if err := g.gpExtras(ctx); err != nil {
			return Summary{}, err
		}
	}
	m := g.manifest(popFile)
	mw, err := out.create(ManifestFile)
	if err != nil {
		return Summary{}, err
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return Summary{}, fmt.Errorf("encoding manifest: %w", err)
	}
	mw.Write(js)
	mw.WriteByte('\n')
	var faulty int64
	for _, f := range m.Files {
		for _, n := range f.FaultyRows {
			faulty += n
		}
	}
	return Summary{
		Dir: g.opt.OutDir, Referrals: g.cleanRefs, Attendances: g.cleanAtts,
		PopulationRows: popFile.Rows, FaultyRows: faulty, Manifest: m,
	}, nil
}

// manifest records what was planted and written.
func (g *generator) manifest(pop FileManifest) Manifest {
	m := Manifest{
		Generator:              "socrx synthetic v1",
		Seed:                   g.opt.Seed,
		Referrals:              g.opt.Referrals,
		Start:                  g.dates.iso(0),
		End:                    g.dates.iso(g.last),
		Months:                 g.opt.Months,
		Messy:                  g.opt.Messy,
		AttendancesPerReferral: g.opt.AttendancesPerReferral,
		DateFormat:             "%d/%m/%Y",
		FutureAfter:            g.dates.iso(g.futureFrom - 1),
		DeprivationEdition:     "IoD2019",
		ICB:                    ICBManifest{Practices: len(g.icb.practices), PCNs: g.icb.pcns},
	}
	for li, l := range icbLADs {
		lm := LADManifest{Code: l.code, Name: g.icb.ladNames[li]}
		for _, a := range g.icb.lsoas {
			if a.lad == li {
				lm.LSOAs++
			}
		}
		for _, p := range g.icb.practices {
			if p.lad == li {
				lm.Practices++
			}
		}
		m.ICB.LSOAs += lm.LSOAs
		m.ICB.LocalAuthorities = append(m.ICB.LocalAuthorities, lm)
	}
	for i, a := range g.arch {
		sm := SchemeManifest{Archetype: a, Referrals: g.sch[i].referrals, ReReferrals: g.sch[i].reReferrals,
			ReferralsByQuintile: g.sch[i].byQuintile, ContactedByQuintile: g.sch[i].contactedByQuintile}
		for _, p := range g.icb.practices {
			if p.scheme == i {
				sm.Practices = append(sm.Practices, p.code)
			}
		}
		for w := g.sch[i].worker0; w < g.sch[i].worker0+g.sch[i].workers; w++ {
			sm.Workers = append(sm.Workers, g.workerIDs[w])
		}
		m.Schemes = append(m.Schemes, sm)
	}
	for i, p := range providers {
		m.Providers = append(m.Providers, ProviderManifest{ID: g.providerIDs[i], Category: p})
	}
	refs := FileManifest{Name: ReferralsFile, CleanRows: g.cleanRefs, Rows: g.cleanRefs}
	atts := FileManifest{Name: AttendancesFile, CleanRows: g.cleanAtts, Rows: g.cleanAtts}
	if g.f != nil {
		refs.FaultyRows = map[string]int64{}
		for k, kind := range referralFaults {
			refs.FaultyRows[kind] = g.f.refCounts[k]
			refs.Rows += g.f.refCounts[k]
		}
		atts.FaultyRows = map[string]int64{}
		for k, kind := range attendanceFaults {
			atts.FaultyRows[kind] = g.f.attCounts[k]
			atts.Rows += g.f.attCounts[k]
		}
	}
	m.Files = append(m.Files, refs, atts, pop)
	if g.outW != nil {
		m.Files = append(m.Files, FileManifest{Name: OutcomesFile, Rows: g.outcomeRows, CleanRows: g.outcomeRows})
		planted := plantedOutcomes()
		m.Outcomes = &planted
	}
	if g.gp != nil {
		gm := g.gp.m
		gm.Realised.Events = g.gp.eventRows
		m.GP = &gm
		m.Files = append(m.Files,
			FileManifest{Name: GPEventsFile, Rows: g.gp.eventRows, CleanRows: g.gp.eventRows},
			FileManifest{Name: GPPatientsFile, Rows: gm.Realised.Registered, CleanRows: gm.Realised.Registered})
	}
	if g.f != nil {
		m.Files = append(m.Files, FileManifest{Name: AttendancesUSFile, Rows: g.usRows, CleanRows: 0,
			Refused: g.usDayAfter12 > 0, DayAfter12Rows: g.usDayAfter12})
	}
	return m
}

// writePopulation writes NHS England's practice × LSOA registrations for the ICB's
// practices: one extract date per year of the span (at most two), rows ALL, FEMALE and
// MALE, and the CLOSED (unallocated) rows real files carry. Write errors stick in the
// bufio.Writer and surface when the file is flushed.
func (g *generator) writePopulation(w *bufio.Writer) FileManifest {
	fm := FileManifest{Name: PopulationFile}
	w.WriteString(populationHeader)
	gr := g.icbRNG
	var b []byte
	for e := 0; e < 2 && 6+12*e < g.opt.Months; e++ {
		t := g.opt.Start.AddDate(0, 6+12*e, 0)
		t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		date := fmt.Sprintf("%02d%s%04d", t.Day(), upperMonth(t.Month()), t.Year())
		fm.ExtractDates = append(fm.ExtractDates, date)
		growth := 1.0 + 0.012*float64(e)
		row := func(p *practice, lsoa string, n int) {
			female := binomial(gr, n, 0.505)
			for _, sx := range [3]struct {
				sex string
				n   int
			}{{"ALL", n}, {"FEMALE", female}, {"MALE", n - female}} {
				b = append(b[:0], "GP_PRAC_PAT_LIST,"...)
				b = append(b, date...)
				b = append(b, ',')
				b = append(b, p.code...)
				b = append(b, ',')
				b = append(b, p.name...)
				b = append(b, ',')
				b = append(b, lsoa...)
				b = append(b, ',')
				b = append(b, sx.sex...)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(sx.n), 10)
				b = append(b, '\n')
				w.Write(b)
				fm.Rows++
			}
		}
		for i := 0; i < len(g.icb.cells); {
			pi := g.icb.cells[i].practice
			p := &g.icb.practices[pi]
			for ; i < len(g.icb.cells) && g.icb.cells[i].practice == pi; i++ {
				c := g.icb.cells[i]
				n := c.patients
				if e > 0 {
					n = max(1, int(math.Round(float64(n)*growth*math.Exp(0.03*gr.norm()))))
				}
				row(p, g.icb.lsoas[c.lsoa].code, n)
			}
			if p.closed > 0 {
				row(p, "CLOSED", p.closed+e)
				fm.ClosedLSOARows += 3
			}
		}
	}
	fm.CleanRows = fm.Rows
	return fm
}

// binomial draws Binomial(n, p): exactly for small n, by the normal approximation above.
func binomial(r *rng, n int, p float64) int {
	if n <= 40 {
		k := 0
		for i := 0; i < n; i++ {
			if r.float() < p {
				k++
			}
		}
		return k
	}
	k := int(math.Round(float64(n)*p + math.Sqrt(float64(n)*p*(1-p))*r.norm()))
	return min(n, max(0, k))
}

func upperMonth(m time.Month) string {
	return [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}[m-1]
}
