package synthetic

import (
	"bufio"
	"context"
	"math"
	"strconv"
)

// GP coded records (Options.GP, design §3.6, §3.7, §12), drawn from their own stream so
// that every platform file is byte-identical with and without them.
//
// gp_patients.csv is the practices' registered list, kept modest: every person the
// platform sees (one registration each, opened before the span and never closed, so each
// of their events falls inside it), every person with a GP-only referral, and
// ExtraRegisteredPerPerson never-referred people per such person, spread over the
// practices and LSOAs by the population file's practice × LSOA counts. gp_events.csv
// carries the two national SP codes and three codes in no default codelist.
//
// Planted truths (GPManifest):
//   - under-coding practices: a GP-sourced platform referral (referral_source gp) gets
//     a referral code within ±30 days (drawn 21 days before to 7 after, within the span)
//     with probability CodedProb, UnderCodedProb at UnderCodingPractices;
//   - declines rising with deprivation: a decline code 2–60 days after a referral code
//     with probability DeclineByQuintile (quintile of the patient's LSOA, the middle one
//     when unknown), written only when on or before the span's last day;
//   - referrals lost between sectors: NeverOnPlatformShare of GP-coded referrals belong
//     to registered people the platform never sees.

const (
	gpEventsHeader   = "person_id,practice_code,event_date,code,event_id\n"
	gpPatientsHeader = "person_id,practice_code,registered_from,registered_to,lsoa_code,sex,birth_month,ethnic_category\n"
)

// The national SP codes (the default codelists) and codes in no default codelist.
const (
	codeSPReferral = "871731000000106" // Referral to social prescribing service
	codeSPDeclined = "871711000000103" // Social prescribing declined
	codeSPOffered  = "871691000000100" // Social prescribing offered
	codeReferral   = "306206005"       // Referral to service
	codeFollowUp   = "390906007"       // Follow-up encounter
)

// Side rates of the GP record (not planted truths, so not in the manifest's rates).
const (
	offeredProb       = 0.40 // an "offered" code the day of a referral code
	referralToSvcProb = 0.10 // a generic "referral to service" code alongside
	followUpProb      = 0.20 // a follow-up encounter 1–8 weeks after the referral code
	offerDeclinedProb = 0.01 // a never-referred registered person offered SP and declining
	joinedInSpanProb  = 0.15 // a never-referred person registering during the span
	leftProb          = 0.05 // a never-referred person leaving during the span
)

// GPManifest records the planted GP truths and what was realised.
type GPManifest struct {
	ReferralCode  string       `json:"referral_code"`
	DeclinedCode  string       `json:"declined_code"`
	UnlistedCodes []CodeOfTerm `json:"unlisted_codes"` // in no default codelist

	CodedProb            float64  `json:"coded_prob"`
	UnderCodingPractices []string `json:"under_coding_practices"`
	UnderCodedProb       float64  `json:"under_coded_prob"`
	CodeWindowDays       int      `json:"code_window_days"` // codes lie within ± this of the platform referral
	// by IMD quintile, most deprived first
	DeclineByQuintile    [5]float64 `json:"decline_by_quintile"`
	DeclineWindowDays    int        `json:"decline_window_days"` // declines lie within this after the referral code
	NeverOnPlatformShare float64    `json:"never_on_platform_share"`
	// ExtraRegisteredPerPerson: never-referred registered people per person with an SP
	// referral on either side.
	ExtraRegisteredPerPerson float64 `json:"extra_registered_per_person"`

	Realised GPRealised `json:"realised"`
}

// CodeOfTerm is a code with its term.
type CodeOfTerm struct {
	Code string `json:"code"`
	Term string `json:"term"`
}

// GPRealised counts what the generation wrote.
type GPRealised struct {
	PlatformGPReferrals int64 `json:"platform_gp_referrals"` // referral_source gp
	CodedPlatform       int64 `json:"coded_platform_referrals"`
	GPOnlyReferrals     int64 `json:"gp_only_referrals"`
	Declines            int64 `json:"declines"`
	OfferDeclined       int64 `json:"offer_declined"`
	Registered          int64 `json:"registered_people"`
	Events              int64 `json:"events"`
}

// plantedGP are the truths Options.GP plants; the under-coding practices are chosen from
// the layout by plantGP.
func plantedGP() GPManifest {
	return GPManifest{
		ReferralCode: codeSPReferral,
		DeclinedCode: codeSPDeclined,
		UnlistedCodes: []CodeOfTerm{
			{codeSPOffered, "Social prescribing offered"},
			{codeReferral, "Referral to service"},
			{codeFollowUp, "Follow-up encounter"},
		},
		CodedProb:                0.9,
		UnderCodedProb:           0.3,
		CodeWindowDays:           30,
		DeclineByQuintile:        [5]float64{0.30, 0.25, 0.20, 0.15, 0.10},
		DeclineWindowDays:        90,
		NeverOnPlatformShare:     0.15,
		ExtraRegisteredPerPerson: 3,
	}
}

// gpState is one generation's GP writing state.
type gpState struct {
	m          GPManifest
	r          *rng
	events     *bufio.Writer
	patients   *bufio.Writer
	underCoder []bool    // by practice index
	cellCum    []float64 // cumulative registered patients over icb.cells
	pracCells  [][2]int  // by practice: its range of icb.cells
	personBase int64     // ids of people the platform never sees start above it
	nextPerson int64
	nextEvent  int64
	evWidth    int
	row        []byte
	eventRows  int64
}

// newGPState picks the under-coding practices — the largest list of each of the first
// three schemes, so the contrast has numbers behind it — and the tables for drawing
// registered people.
func newGPState(g *generator, events, patients *bufio.Writer) *gpState {
	s := &gpState{m: plantedGP(), r: newRNG(g.opt.Seed, streamGP), events: events, patients: patients}
	c := g.icb
	s.underCoder = make([]bool, len(c.practices))
	for sc := 0; sc < min(3, len(g.arch)); sc++ {
		best := -1
		for i, p := range c.practices {
			if p.scheme == sc && (best < 0 || p.list > c.practices[best].list) {
				best = i
			}
		}
		if best >= 0 {
			s.underCoder[best] = true
		}
	}
	for i, p := range c.practices {
		if s.underCoder[i] {
			s.m.UnderCodingPractices = append(s.m.UnderCodingPractices, p.code)
		}
	}
	w := make([]float64, len(c.cells))
	s.pracCells = make([][2]int, len(c.practices))
	for i, cell := range c.cells {
		w[i] = float64(cell.patients)
		if i == 0 || c.cells[i-1].practice != cell.practice {
			s.pracCells[cell.practice][0] = i
		}
		s.pracCells[cell.practice][1] = i + 1
	}
	s.cellCum = cumulative(w)
	// Platform people are numbered from 1 and fewer than 10^(refWidth-1).
	s.personBase = int64(math.Pow10(g.refWidth - 1))
	s.evWidth = g.refWidth + 1
	return s
}

// gpRegisterPlatformPerson writes the registration of a person the platform has just
// met: at their practice, from well before the span (and after birth), never closed.
func (g *generator) gpRegisterPlatformPerson(p *person) {
	s := g.gp
	r := s.r
	birth := g.opt.Start.AddDate(0, 0, p.day0).AddDate(-p.age0, -r.intn(12), 0)
	from := -r.between(60, max(61, min(365*20, 365*p.age0)))
	lsoa := ""
	switch p.lsoaKind {
	case 0:
		lsoa = g.icb.lsoas[p.place.lsoa].code
	case 2:
		lsoa = "W01" + pad(int(p.welsh), 6)
	}
	g.gpPatient(p.id, p.place.practice, from, -1, lsoa, sexes[p.sex], birth.Year(), int(birth.Month()), ethnics[p.eth])
}

// gpEpisode writes the GP record of a platform referral just written.
func (g *generator) gpEpisode(rec *refRec, p *person, q int) {
	if rec.source != "gp" {
		return
	}
	s := g.gp
	r := s.r
	s.m.Realised.PlatformGPReferrals++
	prob := s.m.CodedProb
	if s.underCoder[p.place.practice] {
		prob = s.m.UnderCodedProb
	}
	if !r.bernoulli(prob) {
		return
	}
	s.m.Realised.CodedPlatform++
	day := min(g.last, max(0, rec.day+r.between(-21, 7)))
	g.gpReferral(p.id, p.place.practice, day, q)
	// For share s of all GP-coded referrals to be GP-only, each coded platform one brings
	// a GP-only one with probability s / (1 − s).
	if r.bernoulli(s.m.NeverOnPlatformShare / (1 - s.m.NeverOnPlatformShare)) {
		g.gpOnlyReferral(p.place.practice, min(g.last, max(0, rec.day+r.between(-30, 30))))
	}
}

// gpReferral writes a referral code with what may come with it.
func (g *generator) gpReferral(person int64, practice, day, q int) {
	s := g.gp
	r := s.r
	if r.bernoulli(offeredProb) {
		g.gpEvent(person, practice, day, codeSPOffered)
	}
	g.gpEvent(person, practice, day, codeSPReferral)
	if r.bernoulli(referralToSvcProb) {
		g.gpEvent(person, practice, day, codeReferral)
	}
	i := 2
	if q >= 1 && q <= 5 {
		i = q - 1
	}
	if r.bernoulli(s.m.DeclineByQuintile[i]) {
		if d := day + r.between(2, 60); d <= g.last {
			g.gpEvent(person, practice, d, codeSPDeclined)
			s.m.Realised.Declines++
		}
	}
	if r.bernoulli(followUpProb) {
		if d := day + r.between(7, 56); d <= g.last {
			g.gpEvent(person, practice, d, codeFollowUp)
		}
	}
}

// gpOnlyReferral registers a new person at the practice, in one of its LSOAs, and codes
// a referral the platform never receives.
func (g *generator) gpOnlyReferral(practice, day int) {
	s := g.gp
	r := s.r
	pc := s.pracCells[practice]
	cell := pc[0]
	if n := pc[1] - pc[0]; n > 1 {
		base := 0.0
		if pc[0] > 0 {
			base = s.cellCum[pc[0]-1]
		}
		u := base + r.float()*(s.cellCum[pc[1]-1]-base)
		for cell < pc[1]-1 && s.cellCum[cell] <= u {
			cell++
		}
	}
	id, q, _, _ := g.gpNewPerson(cell, day-r.between(60, 365*15), -1, true)
	s.m.Realised.GPOnlyReferrals++
	g.gpReferral(id, practice, day, q)
}

// gpNewPerson writes the registration of a person the platform never sees, living in
// cell's LSOA (an adult when referred), and returns their id, IMD quintile and
// registration (from, to; to −1 when open).
func (g *generator) gpNewPerson(cell, from, to int, adult bool) (id int64, q, regFrom, regTo int) {
	s := g.gp
	r := s.r
	c := g.icb.cells[cell]
	l := &g.icb.lsoas[c.lsoa]
	s.nextPerson++
	id = s.personBase + s.nextPerson
	age := 18 + r.intn(78)
	if !adult && r.float() < 0.2 {
		age = r.intn(18)
	}
	birth := g.opt.Start.AddDate(-age, -r.intn(12), 0)
	// registered from birth at the earliest
	from = max(from, int(birth.Sub(g.opt.Start).Hours()/24)+31)
	if to >= 0 && to <= from {
		to = -1
	}
	sex := "F"
	if r.float() >= 0.505 {
		sex = "M"
	}
	eth := ethnics[16]
	if r.float() >= 0.08 {
		eth = ethnics[r.pick(g.ethCum[l.quintile])]
	}
	g.gpPatient(id, c.practice, from, to, l.code, sex, birth.Year(), int(birth.Month()), eth)
	return id, l.quintile, from, to
}

// gpExtras writes the never-referred registered people, with the few offered SP who
// decline it with no referral.
func (g *generator) gpExtras(ctx context.Context) error {
	s := g.gp
	r := s.r
	n := int64(math.Round(s.m.ExtraRegisteredPerPerson * float64(g.nextPerson+s.nextPerson)))
	for k := int64(0); k < n; k++ {
		if k&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		cell := r.pick(s.cellCum)
		from := -r.between(1, 365*30)
		if r.bernoulli(joinedInSpanProb) {
			from = r.between(0, g.last)
		}
		to := -1
		if r.bernoulli(leftProb) && from < g.last {
			to = r.between(max(0, from+1), g.last)
		}
		id, _, from, to := g.gpNewPerson(cell, from, to, false)
		if r.bernoulli(offerDeclinedProb) && from <= g.last {
			hi := g.last
			if to >= 0 {
				hi = to
			}
			d := r.between(max(0, from), hi)
			practice := g.icb.cells[cell].practice
			g.gpEvent(id, practice, d, codeSPOffered)
			g.gpEvent(id, practice, d, codeSPDeclined)
			s.m.Realised.OfferDeclined++
		}
	}
	return nil
}

func (g *generator) gpPatient(id int64, practice, from, to int, lsoa, sex string, by, bm int, eth string) {
	s := g.gp
	b := append(s.row[:0], 'P')
	b = appendPadded(b, id, g.refWidth)
	b = append(b, ',')
	b = append(b, g.icb.practices[practice].code...)
	b = append(b, ',')
	b = g.dates.appendUK(b, from)
	b = append(b, ',')
	if to >= 0 {
		b = g.dates.appendUK(b, to)
	}
	b = append(b, ',')
	b = append(b, lsoa...)
	b = append(b, ',')
	b = append(b, sex...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(by), 10)
	b = append(b, '-', byte('0'+bm/10), byte('0'+bm%10), ',')
	b = append(b, eth...)
	b = append(b, '\n')
	s.patients.Write(b)
	s.row = b
	s.m.Realised.Registered++
}

func (g *generator) gpEvent(person int64, practice, day int, code string) {
	s := g.gp
	s.nextEvent++
	b := append(s.row[:0], 'P')
	b = appendPadded(b, person, g.refWidth)
	b = append(b, ',')
	b = append(b, g.icb.practices[practice].code...)
	b = append(b, ',')
	b = g.dates.appendUK(b, day)
	b = append(b, ',')
	b = append(b, code...)
	b = append(b, ",E"...)
	b = appendPadded(b, s.nextEvent, s.evWidth)
	b = append(b, '\n')
	s.events.Write(b)
	s.row = b
	s.eventRows++
}
