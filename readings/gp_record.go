package readings

import (
	"fmt"

	"github.com/socrx/socrx/stats"
)

// Linkage holds the inputs of the GP record's linkage signals (design §12), which exist
// only when the GP and platform extracts share one pseudonym (gp.linked):
// gp_coding_completeness (platform referrals from general practice with a referral code
// in the GP record within ±30 days) and gp_lost_between_sectors (GP-coded referrals the
// platform never saw within 60 days). Counts are of referrals.
type Linkage struct {
	Measure     string `json:"measure"`
	Numerator   int64  `json:"numerator"`
	Denominator int64  `json:"denominator"` // referrals whose window has closed
	Immature    int64  `json:"immature"`    // referrals whose window is still open
}

const (
	measureCompleteness = "gp_coding_completeness"
	measureLost         = "gp_lost_between_sectors"
)

func (l *Linkage) reading(w Writer) string {
	noun, from := "referral", " from general practice on the platform"
	if l.Measure == measureLost {
		noun, from = "GP-coded referral", ""
	}
	if !w.readable(l.Denominator) {
		return fmt.Sprintf("Not judged: %s%s whose window has closed, too few to read.", w.n(l.Denominator, noun), from) +
			l.caveat()
	}
	share := w.share(l.Numerator, l.Denominator, 0)
	interval := ""
	if share != undisclosedShare {
		// the interval from the published counts, so it reveals nothing the share does not
		n, d := w.cell(l.Numerator), w.cell(l.Denominator)
		if ci, err := stats.Wilson(n.N, d.N); err == nil {
			interval = fmt.Sprintf(" (95%% CI %s to %s)", pct(ci.Lower), pct(ci.Upper))
		}
	}
	var s string
	switch l.Measure {
	case measureCompleteness:
		s = fmt.Sprintf("The GP record held a social prescribing referral code within 30 days either side of %s of %s%s%s.",
			share, w.n(l.Denominator, noun), from, interval)
	default:
		s = fmt.Sprintf("%s of %s did not reach the platform within 60 days%s.",
			capital(share), w.n(l.Denominator, noun), interval)
	}
	if l.Immature > 0 {
		s += fmt.Sprintf(" %s whose window is still open %s not counted yet.", capital(w.n(l.Immature, "more referral")), verb(w, l.Immature))
	}
	return s + l.caveat()
}

func verb(w Writer, n int64) string {
	if w.cell(n).N == 1 {
		return "is"
	}
	return "are"
}

// caveat says what coding differences cannot show.
func (l *Linkage) caveat() string {
	if l.Measure == measureCompleteness {
		return " A practice that codes the referral keeps the social context in the patient's record (the holistic " +
			"pattern). A missing code can also mean a local code outside the codelists, free text or another clinical " +
			"system's habits; it cannot show that the GP did not know of the referral."
	}
	return " A coded referral the platform never saw may have been declined, sent to a service outside the platform or " +
		"coded without being sent: a possible loss between sectors, not a proven one."
}
