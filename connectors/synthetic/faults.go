package synthetic

import (
	"math"
	"strconv"
)

// faulter plants messy-mode faults. Every faulty row is an extra row after a clean one,
// with one fault, drawn from its own random stream: the clean rows stay exactly those of
// a clean run, and a faulty row never makes a clean one faulty (a faulty referral gets a
// fresh id that no attendance uses; a duplicate is an exact repeat, whose first copy the
// ingest keeps).
type faulter struct {
	r    *rng
	rate float64

	refCounts [len(referralFaults)]int64
	attCounts [len(attendanceFaults)]int64

	// Id ranges no clean row uses: clean referral numbers stay below 10^(width-1).
	refBase, orphanBase, attBase int64
	nextRef, nextOrphan, nextAtt int64

	buf []byte
}

func newFaulter(opt Options, refWidth, attWidth int) *faulter {
	p := func(w int) int64 { return int64(math.Pow10(w - 1)) }
	return &faulter{
		r:          newRNG(opt.Seed, streamFaults),
		rate:       opt.Messy,
		refBase:    9 * p(refWidth),
		orphanBase: 8 * p(refWidth),
		attBase:    9 * p(attWidth),
	}
}

// Impossible or unreadable dates, as typed into real systems. Each has a day after the
// 12th or no digits at all, so that none reads as a US-order date: those make the whole
// file an error, which is a different fault (attendances_us.csv).
var badDates = [...]string{"31/02/", "30/02/", "31/04/", "31/06/", "31/09/", "31/11/", "not known", "TBC", "00/00/0000"}

func (f *faulter) badDate(g *generator, day int) string {
	s := badDates[f.r.intn(len(badDates))]
	if s[len(s)-1] == '/' {
		t := g.opt.Start.AddDate(0, 0, day)
		return s + strconv.Itoa(t.Year())
	}
	return s
}

// futureDay is 5 to 15 years after the data: a mistyped year.
func (f *faulter) futureDay(g *generator) int {
	return g.futureFrom + f.r.intn(3650)
}

func (f *faulter) afterReferral(g *generator, rec *refRec) {
	if f.r.float() >= f.rate {
		return
	}
	k := f.r.intn(len(referralFaults))
	f.refCounts[k]++
	if referralFaults[k] == FaultDuplicateID {
		g.refW.Write(g.row)
		return
	}
	x := *rec
	f.nextRef++
	x.id = f.refBase + f.nextRef
	x.outcome, x.closed = outcomes.pending, -1 // a faulty row never breaks closed_before_referral too
	switch referralFaults[k] {
	case FaultBadDate:
		x.dateText = f.badDate(g, rec.day)
	case FaultFutureDate:
		x.day = f.futureDay(g)
	case FaultUnknownCode:
		switch f.r.intn(4) {
		case 0:
			x.sex = "X"
		case 1:
			x.source = "gp surgery"
		case 2:
			x.outcome = "completed"
		default:
			x.ethnic = "W"
		}
	case FaultMissingValue:
		x.practice = ""
	}
	f.buf = g.appendReferral(f.buf[:0], &x)
	g.refW.Write(f.buf)
}

func (f *faulter) afterAttendance(g *generator, ref *refRec, rec *attRec) {
	if f.r.float() >= f.rate {
		return
	}
	k := f.r.intn(len(attendanceFaults))
	f.attCounts[k]++
	if attendanceFaults[k] == FaultDuplicateID {
		g.attW.Write(g.row)
		return
	}
	x := *rec
	f.nextAtt++
	x.id = f.attBase + f.nextAtt
	switch attendanceFaults[k] {
	case FaultBadDate:
		x.dateText = f.badDate(g, rec.day)
	case FaultFutureDate:
		x.day = f.futureDay(g)
	case FaultUnknownCode:
		switch f.r.intn(3) {
		case 0:
			x.status = "maybe"
		case 1:
			x.setting = "clinic"
		default:
			x.mode = "in person"
		}
	case FaultMissingValue:
		x.status = ""
	case FaultOrphan:
		f.nextOrphan++
		x.ref = f.orphanBase + f.nextOrphan
	case FaultBeforeReferral:
		x.day = ref.day - f.r.between(1, 60)
	}
	f.buf = g.appendAttendance(f.buf[:0], &x, false)
	g.attW.Write(f.buf)
}
