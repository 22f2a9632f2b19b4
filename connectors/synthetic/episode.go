package synthetic

import (
	"bufio"
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Enumerations as written (design §3).
var (
	sources  = [...]string{"gp", "nurse", "other_primary_care", "secondary_care", "social_care", "vcs", "self", "other"}
	outcomes = struct{ accepted, declined, notContactable, inappropriate, pending, closed string }{
		"accepted", "declined", "not_contactable", "inappropriate", "pending", "closed"}
	statuses = [...]string{"attended", "dna", "cancelled_patient", "cancelled_provider"}
	modes    = [...]string{"face_to_face", "telephone", "video", "home_visit", "group"}
	sexes    = [...]string{"F", "M", "U", "I"}
	ethnics  = [...]string{"A", "B", "C", "D", "E", "F", "G", "H", "J", "K", "L", "M", "N", "P", "R", "S", "Z", "99"}
	reasons  = [...]string{"isolation", "mental_health", "physical_inactivity", "long_term_condition", "financial",
		"housing", "bereavement", "carer_support", "employment", "weight_management"}
	// providers are the ICB's VCS organisations (V01…), by activity category.
	providers = [...]string{"physical_activity", "arts", "welfare_advice", "befriending", "physical_activity",
		"gardening", "social_group", "arts", "welfare_advice", "befriending", "employment_support", "learning",
		"social_group", "physical_activity"}
)

const (
	stAttended = iota
	stDNA
	stCancelledPatient
	stCancelledProvider
)

const (
	modeFace = iota
	modeTelephone
	modeVideo
	modeHome
	modeGroup
)

// Rates shared by every scheme.
const (
	cancelProb     = 0.05  // a booked link-worker session is cancelled
	noWorkerProb   = 0.02  // a link-worker row without worker_id
	sameDayDupProb = 0.01  // an attended contact recorded twice the same day
	noLSOAProb     = 0.01  // referral without lsoa_code
	welshLSOAProb  = 0.002 // referral with a Welsh LSOA (excluded from IMD strata)
	vcsNoShowProb  = 0.05  // contacted, no uptake, but one VCS session booked and missed
)

// dnaByQuintile: ~12% of booked link-worker sessions are missed, more in deprived areas
// (index 0 = no usable LSOA).
var dnaByQuintile = [6]float64{0.12, 0.16, 0.14, 0.12, 0.10, 0.08}

// ethnicWeights: England 2021 census shares for A–S (per cent); the minority groups are
// tilted toward deprived areas by ethnicTilt[quintile], as they are in English cities.
var (
	ethnicWeights = [16]float64{73.5, 0.9, 6.4, 0.9, 0.5, 0.8, 0.7, 3.3, 2.7, 1.1, 1.7, 1.1, 2.6, 0.5, 0.8, 2.2}
	ethnicTilt    = [6]float64{1, 1.7, 1.3, 1, 0.75, 0.6}
)

type schemeState struct {
	pContact, pEngaged, pVCS [6]float64 // by quintile, 0 = unknown (quintile 3's value)
	modeCum                  []float64
	sourceCum                []float64
	worker0, workers         int // global worker index range
	referrals, reReferrals   int64
	byQuintile               [6]int64
	contactedByQuintile      [6]int64
}

// person is a referred person; a re-referral carries the same one forward.
type person struct {
	id        int64
	scheme    int
	place     place
	lsoaKind  uint8 // 0 lsoa from place, 1 missing, 2 Welsh
	welsh     int32
	sex       uint8
	eth       uint8
	age0      int
	day0      int
	lastWorkr int32 // last link worker of the previous episode, -1 none
}

// reReferral is a person due to be referred again on day.
type reReferral struct {
	day int
	seq int64 // tie-break: keeps the heap order, and so the output, deterministic
	p   person
}

type reHeap []reReferral

func (h reHeap) Len() int { return len(h) }
func (h reHeap) Less(i, j int) bool {
	if h[i].day != h[j].day {
		return h[i].day < h[j].day
	}
	return h[i].seq < h[j].seq
}
func (h reHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *reHeap) Push(x any)   { *h = append(*h, x.(reReferral)) }
func (h *reHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// session is one attendance row of the episode being written.
type session struct {
	day      int
	vcs      bool
	status   uint8
	mode     uint8
	dup      bool // written twice with different attendance ids (same-day duplicate)
	worker   int32
	provider int16
}

// refRec and attRec are rows about to be written; faults are copies with one change.
type refRec struct {
	id        int64
	person    int64
	scheme    string
	practice  string
	day       int
	dateText  string // replaces day when set (planted bad dates)
	source    string
	reason    []byte
	outcome   string
	closed    int // -1 = none
	lsoa      string
	sex       string
	age       int
	ethnic    string
	welshCode int32
}

type attRec struct {
	id       int64
	ref      int64
	day      int
	dateText string
	setting  string
	status   string
	worker   int32
	provider int16
	category string
	mode     string
	person   int64
}

// generator holds one generation's state: lookup tables and per-episode scratch only.
type generator struct {
	opt        Options
	arch       []Archetype
	icb        *icb
	icbRNG     *rng
	r          *rng
	f          *faulter
	dates      *dateCache
	last       int // last day with data
	futureFrom int // first day counted as planted future

	places      [][]place
	placeCum    [][]float64
	schemeCum   []float64
	sch         []schemeState
	workerIDs   []string
	providerIDs []string
	ageTable    []int
	ethCum      [6][]float64
	reasonCum   [6][]float64

	refW, attW, usW *bufio.Writer
	outW            *bufio.Writer // outcomes.csv (Options.Outcomes)
	or              *rng          // the outcomes' own stream
	gp              *gpState      // Options.GP
	nextAssessment  int64
	outRow          []byte
	outcomeRows     int64
	refWidth        int
	attWidth        int
	nextRef         int64
	nextAtt         int64
	nextPerson      int64
	reSeq           int64
	pending         reHeap

	sess   []session
	row    []byte // the clean row just written: a duplicate_id fault repeats it
	usRow  []byte
	reason []byte

	cleanRefs, cleanAtts int64
	usRows, usDayAfter12 int64
}

func newGenerator(opt Options) (*generator, error) {
	g := &generator{opt: opt, arch: Archetypes()}
	g.icbRNG = newRNG(opt.Seed, streamICB)
	g.r = newRNG(opt.Seed, streamRows)
	g.or = newRNG(opt.Seed, streamOutcomes)
	g.refWidth = max(7, len(strconv.Itoa(opt.Referrals))+1)
	g.attWidth = max(9, len(strconv.Itoa(opt.Referrals*160))+1)
	if opt.Messy > 0 {
		g.f = newFaulter(opt, g.refWidth, g.attWidth)
	}
	var err error
	if g.icb, err = buildICB(g.icbRNG); err != nil {
		return nil, err
	}
	g.places, g.placeCum = g.icb.referralTable(g.icbRNG, len(g.arch))
	end := opt.Start.AddDate(0, opt.Months, 0)
	g.last = int(end.Sub(opt.Start).Hours()/24+0.5) - 1
	g.dates = newDateCache(opt.Start, g.last)
	g.futureFrom = int(end.AddDate(futureYears, 0, 0).Sub(opt.Start).Hours()/24 + 0.5)

	shares := make([]float64, len(g.arch))
	g.sch = make([]schemeState, len(g.arch))
	perYear := float64(opt.Referrals) * 12 / float64(opt.Months)
	for i, a := range g.arch {
		if len(g.places[i]) == 0 {
			return nil, fmt.Errorf("scheme %s has no practices", a.ID)
		}
		shares[i] = a.Share
		s := &g.sch[i]
		for q := 0; q <= 5; q++ {
			steps := 3 - q // toward more deprived is positive
			if q == 0 {
				steps = 0
			}
			s.pContact[q] = logistic(a.ContactBase, a.ContactOddsRatioPerQuintile, steps)
			s.pEngaged[q] = logistic(a.EngagedBase, a.EngagedOddsRatioPerQuintile, steps)
			s.pVCS[q] = logistic(a.VCSBase, a.VCSOddsRatioPerQuintile, steps)
		}
		s.modeCum = cumulative(a.ModeWeights[:])
		// Non-GP referrals: nurses, other primary care (pharmacists, care coordinators),
		// secondary care, social care, VCS, self, other.
		other := [7]float64{0.22, 0.30, 0.08, 0.12, 0.08, 0.17, 0.03}
		w := []float64{a.GPShare}
		for _, x := range other {
			w = append(w, (1-a.GPShare)*x)
		}
		s.sourceCum = cumulative(w)
		// A full-time link worker takes roughly 180 new referrals a year.
		s.workers = max(3, int(math.Round(perYear*a.Share/180)))
		s.worker0 = len(g.workerIDs)
		for k := 0; k < s.workers; k++ {
			g.workerIDs = append(g.workerIDs, "W"+pad(len(g.workerIDs)+1, 3))
		}
	}
	g.schemeCum = cumulative(shares)
	for i := range providers {
		g.providerIDs = append(g.providerIDs, "V"+pad(i+1, 2))
	}
	for q := 0; q <= 5; q++ {
		w := make([]float64, 16)
		for k, x := range ethnicWeights {
			if k == 0 {
				w[k] = x
			} else {
				w[k] = x * ethnicTilt[q]
			}
		}
		g.ethCum[q] = cumulative(w)
		// More money and housing reasons where deprivation is higher.
		rw := []float64{18, 24, 12, 14, 8, 6, 5, 5, 4, 4}
		tilt := [6]float64{1, 1.8, 1.4, 1, 0.8, 0.6}[q]
		rw[4] *= tilt
		rw[5] *= tilt
		rw[8] *= tilt
		g.reasonCum[q] = cumulative(rw)
	}
	return g, nil
}

// pad formats n with at least width digits.
func pad(n, width int) string {
	return string(appendPadded(nil, int64(n), width))
}

func appendPadded(b []byte, n int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], n, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// dayWeights spreads referrals over the span: weekdays, a winter peak, a dip in August
// and over Christmas, and day-to-day noise.
func (g *generator) dayWeights() []float64 {
	w := make([]float64, g.last+1)
	for d := range w {
		t := g.opt.Start.AddDate(0, 0, d)
		x := 1.0
		switch t.Weekday() {
		case 6:
			x = 0.06
		case 0:
			x = 0.02
		}
		x *= 1 + 0.12*math.Cos(2*math.Pi*float64(t.YearDay()-15)/365.25)
		if t.Month() == 8 {
			x *= 0.85
		}
		if (t.Month() == 12 && t.Day() >= 24) || (t.Month() == 1 && t.Day() == 1) {
			x *= 0.35
		}
		w[d] = x * math.Exp(0.12*g.r.norm())
	}
	return cumulative(w)
}

// stream writes every referral with its attendances, day by day. Referrals per day follow
// the day weights by systematic sampling, which gives exactly opt.Referrals in total; a
// day's places go first to people due for re-referral.
func (g *generator) stream(ctx context.Context) error {
	cum := g.dayWeights()
	total := cum[len(cum)-1]
	n := float64(g.opt.Referrals)
	u0 := g.r.float()
	prev := 0
	for d := 0; d <= g.last; d++ {
		target := g.opt.Referrals
		if d < g.last {
			target = min(target, int(math.Floor(n*cum[d]/total+u0)))
		}
		for k := prev; k < target; k++ {
			if k&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var p person
			if len(g.pending) > 0 && g.pending[0].day <= d {
				p = heap.Pop(&g.pending).(reReferral).p
				g.sch[p.scheme].reReferrals++
			} else {
				p = g.newPerson(d)
				if g.gp != nil {
					g.gpRegisterPlatformPerson(&p)
				}
			}
			g.episode(d, &p)
		}
		prev = max(prev, target)
	}
	return nil
}

func (g *generator) newPerson(day int) person {
	r := g.r
	g.nextPerson++
	s := r.pick(g.schemeCum)
	pl := g.places[s][r.pick(g.placeCum[s])]
	p := person{id: g.nextPerson, scheme: s, place: pl, day0: day, lastWorkr: -1}
	switch u := r.float(); {
	case u < noLSOAProb:
		p.lsoaKind = 1
	case u < noLSOAProb+welshLSOAProb:
		p.lsoaKind = 2
		p.welsh = int32(r.between(1, 1909))
	}
	switch u := r.float(); {
	case u < 0.58:
		p.sex = 0
	case u < 0.993:
		p.sex = 1
	case u < 0.998:
		p.sex = 2
	default:
		p.sex = 3
	}
	// Adults, skewed older: a mixture peaking in the sixties with a working-age arm,
	// median about 55.
	age := 0.0
	for try := 0; try < 8; try++ {
		if r.float() < 0.55 {
			age = 64 + 14*r.norm()
		} else {
			age = 44 + 13*r.norm()
		}
		if age >= 18 && age < 96 {
			break
		}
	}
	p.age0 = min(95, max(18, int(age)))
	q := g.quintile(&p)
	switch u := r.float(); {
	case u < 0.05:
		p.eth = 16 // Z: not stated
	case u < 0.08:
		p.eth = 17 // 99: not known
	default:
		p.eth = uint8(r.pick(g.ethCum[q]))
	}
	return p
}

// quintile is the person's national IMD quintile, 0 when the LSOA is missing or Welsh.
func (g *generator) quintile(p *person) int {
	if p.lsoaKind != 0 {
		return 0
	}
	return g.icb.lsoas[p.place.lsoa].quintile
}

// sessionCount draws the episode's attended link-worker contacts given contact.
func (g *generator) sessionCount(a *Archetype, s *schemeState, q int) int {
	r := g.r
	if !r.bernoulli(s.pEngaged[q]) {
		if r.float() < 0.55 {
			return 1
		}
		return 2
	}
	if a.SessionCap == 0 {
		return min(a.MaxSessions, 3+r.geometric(a.ContinueProb))
	}
	switch u := r.float(); {
	case u < a.AboveCapProb:
		return min(a.MaxSessions, a.SessionCap+1+r.intn(2))
	case u < a.AboveCapProb+a.CapShare:
		return a.SessionCap
	}
	n := 3 + r.geometric(a.ContinueProb)
	if n >= a.SessionCap {
		n = 3 + r.intn(a.SessionCap-3)
	}
	return n
}

func (g *generator) otherWorker(s *schemeState, cur int32) int32 {
	k := g.r.intn(s.workers - 1)
	w := int32(s.worker0 + k)
	if w >= cur {
		w++
	}
	return w
}

// next returns the day of the next booked link-worker session after day d.
func (g *generator) next(a *Archetype, d int) int {
	gap := int(math.Round(g.r.lognormal(a.MedianGapDays, a.GapSigma)))
	return g.dates.weekdayOnOrAfter(d + max(1, gap))
}

func (g *generator) lwMode(s *schemeState) uint8 {
	return uint8(g.r.pick(s.modeCum))
}

// addLW appends a link-worker session unless it falls after the data; it reports
// whether it did.
func (g *generator) addLW(d int, status uint8, worker int32, mode uint8) bool {
	if d > g.last {
		return false
	}
	if g.r.float() < noWorkerProb {
		worker = -1
	}
	dup := status == stAttended && g.r.float() < sameDayDupProb
	g.sess = append(g.sess, session{day: d, status: status, mode: mode, worker: worker, provider: -1, dup: dup})
	return true
}

// episode simulates one referral and writes it with its attendances.
func (g *generator) episode(day int, p *person) {
	r := g.r
	a := &g.arch[p.scheme]
	s := &g.sch[p.scheme]
	q := g.quintile(p)
	s.referrals++
	s.byQuintile[q]++
	g.sess = g.sess[:0]
	dnaP := dnaByQuintile[q]

	worker := int32(s.worker0 + r.intn(s.workers))
	if p.lastWorkr >= 0 && r.bernoulli(a.SameWorkerOnReReferral) {
		worker = p.lastWorkr
	}
	cur := worker
	lastLW, lastAny := -1, -1
	truncated := false
	contacted := r.bernoulli(s.pContact[q])
	firstDay := -1
	var outcome string
	closed := -1
	if contacted {
		wait := max(1, int(math.Round(r.lognormal(a.MedianWaitDays, a.WaitSigma))))
		first := g.dates.weekdayOnOrAfter(day + wait)
		firstDay = first
		// A missed first appointment before the contact that happened.
		if first-day >= 3 && r.bernoulli(dnaP) {
			if d := g.dates.weekdayOnOrAfter(day + 1 + r.intn(first-day-2)); d < first {
				g.addLW(d, stDNA, cur, g.lwMode(s))
			}
		}
		n := g.sessionCount(a, s, q)
		d := first
		for k := 0; k < n && !truncated; k++ {
			w := cur
			if k > 0 {
				d = g.next(a, d)
				switch u := r.float(); {
				case u < dnaP:
					if !g.addLW(d, stDNA, cur, g.lwMode(s)) {
						truncated = true
						continue
					}
					d = g.next(a, d)
				case u < dnaP+cancelProb:
					st := uint8(stCancelledPatient)
					if r.float() < 0.4 {
						st = stCancelledProvider
					}
					if !g.addLW(d, st, cur, g.lwMode(s)) {
						truncated = true
						continue
					}
					d = g.next(a, d)
				}
				if r.float() < a.HandoffProb {
					cur = g.otherWorker(s, cur)
				}
				w = cur
				if a.CoverProb > 0 && r.float() < a.CoverProb {
					w = g.otherWorker(s, cur)
				}
			}
			if !g.addLW(d, stAttended, w, g.lwMode(s)) {
				truncated = true
				continue
			}
			lastLW = d
		}
		if lastLW >= 0 {
			firstContact := first
			if r.bernoulli(s.pVCS[q]) {
				truncated = g.vcs(a, firstContact, true) || truncated
			} else if r.float() < vcsNoShowProb {
				g.vcs(a, firstContact, false)
			}
		}
	} else {
		switch u := r.float(); {
		case u < 0.35:
			outcome, closed = outcomes.declined, day+r.between(1, 28)
		case u < 0.70:
			outcome, closed = outcomes.notContactable, day+r.between(14, 60)
		case u < 0.78:
			outcome, closed = outcomes.inappropriate, day+r.between(0, 14)
		default:
			// Booked, never attended: one or two missed appointments.
			wait := max(1, int(math.Round(r.lognormal(a.MedianWaitDays, a.WaitSigma))))
			d := g.dates.weekdayOnOrAfter(day + wait)
			st := uint8(stDNA)
			if r.float() < 0.2 {
				st = stCancelledPatient
			}
			last := d
			g.addLW(d, st, cur, g.lwMode(s))
			if r.float() < 0.5 {
				d = g.next(a, d)
				g.addLW(d, stDNA, cur, g.lwMode(s))
				last = d
			}
			outcome, closed = outcomes.notContactable, last+r.between(7, 21)
		}
	}
	for i := range g.sess {
		lastAny = max(lastAny, g.sess[i].day)
	}
	switch {
	case contacted && lastLW < 0 || closed > g.last:
		// Not yet contacted, or not yet closed, at the end of the data.
		outcome, closed = outcomes.pending, -1
		if len(g.sess) > 0 {
			outcome = outcomes.accepted
		}
	case contacted && truncated:
		outcome = outcomes.accepted
	case contacted:
		closed = lastAny + r.intn(22)
		outcome = outcomes.closed
		if closed > g.last {
			outcome, closed = outcomes.accepted, -1
		}
	}
	if lastLW >= 0 {
		s.contactedByQuintile[q]++
	}

	rec := g.referralRec(day, p, s, a, q, outcome, closed)
	g.writeReferral(&rec)
	slices.SortStableFunc(g.sess, func(x, y session) int {
		if c := cmp.Compare(x.day, y.day); c != 0 {
			return c
		}
		if x.vcs != y.vcs {
			if x.vcs {
				return 1
			}
			return -1
		}
		return 0
	})
	for i := range g.sess {
		g.writeSession(&rec, &g.sess[i])
	}
	if g.outW != nil && lastLW >= 0 && firstDay <= g.last {
		g.writeOutcomes(&rec, p.scheme, q, firstDay, lastLW)
	}
	if g.gp != nil {
		g.gpEpisode(&rec, p, q)
	}

	// Finished episodes are sometimes followed by a new referral of the same person.
	if closed >= 0 && r.bernoulli(a.ReReferralProb) {
		rd := closed + max(7, int(math.Round(r.lognormal(100, 0.8))))
		if rd <= g.last {
			np := *p
			np.lastWorkr = -1
			if lastLW >= 0 {
				np.lastWorkr = cur
			}
			g.reSeq++
			heap.Push(&g.pending, reReferral{day: rd, seq: g.reSeq, p: np})
		}
	}
}

// maxVCSRun bounds a run lengthened by topUp: two years of weekly sessions.
const maxVCSRun = 104

// topUp is how long the VCS run being planned must be for the attendance rows so far to
// average Options.AttendancesPerReferral per referral (0 when that is not set). Only the
// runs of people taking up VCS grow, and only after their first session, so uptake,
// contacts and continuity — every planted truth — are as without it.
func (g *generator) topUp() int {
	if g.opt.AttendancesPerReferral <= 0 {
		return 0
	}
	want := int(math.Round(g.opt.AttendancesPerReferral*float64(g.cleanRefs+1))) - int(g.cleanAtts) - len(g.sess)
	return min(max(want, 0), maxVCSRun)
}

// vcs adds a run of VCS sessions starting some weeks after the first contact; with
// uptake the first is attended, otherwise a single missed one. It reports whether the
// run was cut short by the end of the data.
func (g *generator) vcs(a *Archetype, firstContact int, uptake bool) bool {
	r := g.r
	prov := int16(r.intn(len(providers)))
	oneToOne := providers[prov] == "befriending" || providers[prov] == "welfare_advice" || providers[prov] == "employment_support"
	d := g.dates.notSunday(firstContact + max(1, int(math.Round(r.lognormal(21, 0.5)))))
	n := 1
	if uptake {
		n = max(min(30, 1+r.geometric(0.78)), g.topUp())
	}
	for k := 0; k < n; k++ {
		if d > g.last {
			return true
		}
		st := uint8(stDNA)
		if uptake {
			st = stAttended
			if k > 0 {
				switch u := r.float(); {
				case u < 0.10:
					st = stDNA
				case u < 0.13:
					st = stCancelledProvider
				case u < 0.15:
					st = stCancelledPatient
				}
			}
		}
		mode := uint8(modeGroup)
		u := r.float()
		if oneToOne {
			mode = modeFace
			if u < 0.4 {
				mode = modeTelephone
			}
		} else if u < 0.15 {
			mode = modeFace
		} else if u < 0.20 {
			mode = modeVideo
		}
		g.sess = append(g.sess, session{day: d, vcs: true, status: st, mode: mode, worker: -1, provider: prov})
		step := 7
		if r.float() < 0.15 {
			step = 14
		}
		d = g.dates.notSunday(d + step)
	}
	return false
}

func (g *generator) referralRec(day int, p *person, s *schemeState, a *Archetype, q int, outcome string, closed int) refRec {
	r := g.r
	rec := refRec{
		person:   p.id,
		scheme:   a.ID,
		practice: g.icb.practices[p.place.practice].code,
		day:      day,
		source:   sources[r.pick(s.sourceCum)],
		outcome:  outcome,
		closed:   closed,
		sex:      sexes[p.sex],
		age:      min(120, p.age0+(day-p.day0)/365),
		ethnic:   ethnics[p.eth],
	}
	g.nextRef++
	rec.id = g.nextRef
	switch p.lsoaKind {
	case 0:
		rec.lsoa = g.icb.lsoas[p.place.lsoa].code
	case 2:
		rec.welshCode = p.welsh
	}
	// One to three reasons, in a fixed order, `;`-separated.
	var chosen uint16
	k := 1
	if u := r.float(); u < 0.15 {
		k = 3
	} else if u < 0.50 {
		k = 2
	}
	for try := 0; try < 3*k && k > 0; try++ {
		i := r.pick(g.reasonCum[q])
		if chosen&(1<<i) == 0 {
			chosen |= 1 << i
			k--
		}
	}
	g.reason = g.reason[:0]
	for i := range reasons {
		if chosen&(1<<i) != 0 {
			if len(g.reason) > 0 {
				g.reason = append(g.reason, ';')
			}
			g.reason = append(g.reason, reasons[i]...)
		}
	}
	rec.reason = g.reason
	return rec
}

func (g *generator) appendReferral(b []byte, rec *refRec) []byte {
	b = append(b, 'R')
	b = appendPadded(b, rec.id, g.refWidth)
	b = append(b, ",P"...)
	b = appendPadded(b, rec.person, g.refWidth)
	b = append(b, ',')
	b = append(b, rec.scheme...)
	b = append(b, ',')
	b = append(b, rec.practice...)
	b = append(b, ',')
	if rec.dateText != "" {
		b = append(b, rec.dateText...)
	} else {
		b = g.dates.appendUK(b, rec.day)
	}
	b = append(b, ',')
	b = append(b, rec.source...)
	b = append(b, ',')
	b = append(b, rec.reason...)
	b = append(b, ',')
	b = append(b, rec.outcome...)
	b = append(b, ',')
	if rec.closed >= 0 {
		b = g.dates.appendUK(b, rec.closed)
	}
	b = append(b, ',')
	if rec.welshCode > 0 {
		b = append(b, "W01"...)
		b = appendPadded(b, int64(rec.welshCode), 6)
	} else {
		b = append(b, rec.lsoa...)
	}
	b = append(b, ',')
	b = append(b, rec.sex...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(rec.age), 10)
	b = append(b, ',')
	b = append(b, rec.ethnic...)
	return append(b, '\n')
}

func (g *generator) writeReferral(rec *refRec) {
	g.row = g.appendReferral(g.row[:0], rec)
	g.refW.Write(g.row)
	g.cleanRefs++
	if g.f != nil {
		g.f.afterReferral(g, rec)
	}
}

func (g *generator) appendAttendance(b []byte, rec *attRec, us bool) []byte {
	b = append(b, 'A')
	b = appendPadded(b, rec.id, g.attWidth)
	b = append(b, ",R"...)
	b = appendPadded(b, rec.ref, g.refWidth)
	b = append(b, ',')
	switch {
	case rec.dateText != "":
		b = append(b, rec.dateText...)
	case us:
		b = g.dates.appendUS(b, rec.day)
	default:
		b = g.dates.appendUK(b, rec.day)
	}
	b = append(b, ',')
	b = append(b, rec.setting...)
	b = append(b, ',')
	b = append(b, rec.status...)
	b = append(b, ',')
	if rec.worker >= 0 {
		b = append(b, g.workerIDs[rec.worker]...)
	}
	b = append(b, ',')
	if rec.provider >= 0 {
		b = append(b, g.providerIDs[rec.provider]...)
	}
	b = append(b, ',')
	b = append(b, rec.category...)
	b = append(b, ',')
	b = append(b, rec.mode...)
	b = append(b, ",P"...)
	b = appendPadded(b, rec.person, g.refWidth)
	return append(b, '\n')
}

func (g *generator) writeSession(ref *refRec, s *session) {
	rec := attRec{ref: ref.id, day: s.day, status: statuses[s.status], worker: s.worker, provider: s.provider,
		mode: modes[s.mode], person: ref.person, setting: "link_worker"}
	if s.vcs {
		rec.setting = "vcs"
		rec.category = providers[s.provider]
	}
	g.writeAttendance(ref, &rec)
	if s.dup {
		g.writeAttendance(ref, &rec)
	}
}

func (g *generator) writeAttendance(ref *refRec, rec *attRec) {
	g.nextAtt++
	rec.id = g.nextAtt
	g.row = g.appendAttendance(g.row[:0], rec, false)
	g.attW.Write(g.row)
	g.cleanAtts++
	if g.usW != nil && g.usRows < usRows {
		g.usRow = g.appendAttendance(g.usRow[:0], rec, true)
		g.usW.Write(g.usRow)
		g.usRows++
		if g.dates.dayOfMonth(rec.day) > 12 {
			g.usDayAfter12++
		}
	}
	if g.f != nil {
		g.f.afterAttendance(g, ref, rec)
	}
}
