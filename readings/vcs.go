package readings

import (
	"fmt"
	"strings"

	"github.com/socrx/socrx/stats"
)

// Equity holds the inputs of a VCS signal's reading (design §4): the SII of a favourable
// measure across IMD quintiles with its verdict, and the two end strata.
type Equity struct {
	Measure            string   `json:"measure"`
	WindowDays         int64    `json:"window_days,omitempty"`
	EngagedMinContacts int64    `json:"engaged_min_contacts,omitempty"`
	LocalFifths        bool     `json:"local_fifths,omitempty"` // quintiles of the scheme's own catchment
	Verdict            string   `json:"verdict"`
	Reason             string   `json:"verdict_reason,omitempty"`
	Most               *Stratum `json:"most_deprived,omitempty"`
	Least              *Stratum `json:"least_deprived,omitempty"`
	SII                *float64 `json:"sii,omitempty"`
	SIILower           *float64 `json:"sii_lower,omitempty"`
	SIIUpper           *float64 `json:"sii_upper,omitempty"`
	Discordant         bool     `json:"discordant,omitempty"`
	RCI                *float64 `json:"rci,omitempty"`
	RCILower           *float64 `json:"rci_lower,omitempty"`
	RCIUpper           *float64 `json:"rci_upper,omitempty"`
	Excluded           int64    `json:"referrals_without_lsoa"` // left out: no usable LSOA
}

// Stratum is one quintile's numerator and denominator (people; registered patients for
// reach).
type Stratum struct {
	Numerator   int64 `json:"numerator"`
	Denominator int64 `json:"denominator"`
}

const (
	reach          = "reach"
	gpReferralRate = "gp_referral_rate"
)

func (e *Equity) measureText() string {
	switch e.Measure {
	case "contacted":
		return fmt.Sprintf("Contact with a link worker within %d days", e.WindowDays)
	case "engaged":
		return fmt.Sprintf("Engagement (%d or more link-worker contacts within %d days)", e.EngagedMinContacts, e.WindowDays)
	case "vcs_uptake":
		return fmt.Sprintf("Uptake of a VCS activity within %d days", e.WindowDays)
	case reach:
		return "Reach (people referred per 1,000 registered patients)"
	case gpReferralRate:
		return "GP-coded referrals to social prescribing per 1,000 registered patients"
	}
	return e.Measure
}

func (e *Equity) reading(w Writer) string {
	var b strings.Builder
	b.WriteString(e.measureText())
	fifth := "fifth"
	if e.LocalFifths {
		fifth = "local fifth"
	}
	switch e.Verdict {
	case stats.VerdictRedistributive:
		b.WriteString(" rose with deprivation")
	case stats.VerdictNonRedistributive:
		b.WriteString(" fell with deprivation")
	case stats.VerdictNoClearGradient:
		b.WriteString(" showed no clear gradient by deprivation")
	}
	if e.Most != nil && e.Least != nil {
		b.WriteString(": " + e.ends(w, fifth))
	}
	if e.SII != nil {
		fmt.Fprintf(&b, "; SII %s (95%% CI %s to %s)", stat(*e.SII), stat(val(e.SIILower)), stat(val(e.SIIUpper)))
	}
	b.WriteString(". ")
	switch e.Verdict {
	case stats.VerdictRedistributive:
		b.WriteString(capital(e.subject()) + " higher where need is higher, the redistributive pattern. ")
	case stats.VerdictNonRedistributive:
		b.WriteString(capital(e.subject()) + " lower where need is higher, the inverse care law (non-redistributive) pattern. ")
	case stats.VerdictNoClearGradient:
		b.WriteString("The interval includes no gradient at all, so neither pattern is shown. ")
	default:
		b.WriteString("Not judged: " + e.Reason + ". ")
	}
	if e.Discordant {
		fmt.Fprintf(&b, "The concentration index (%s, 95%% CI %s to %s) tells a different story, so read this with care. ",
			stat(val(e.RCI)), stat(val(e.RCILower)), stat(val(e.RCIUpper)))
	}
	if e.Excluded > 0 {
		verb := "were"
		if w.cell(e.Excluded).N == 1 {
			verb = "was"
		}
		noun := "referral"
		if e.Measure == gpReferralRate {
			noun = "GP-coded referral"
		}
		fmt.Fprintf(&b, "%s without a usable LSOA %s left out. ", capital(w.n(e.Excluded, noun)), verb)
	}
	if e.Measure == gpReferralRate {
		b.WriteString("Coding habits differ between practices and clinical systems, so a gradient in coded referrals " +
			"may be one of recording as much as of referring. ")
	}
	b.WriteString("This is one signal among many tests, not a verdict on the scheme.")
	return b.String()
}

// ends compares the most and least deprived fifths from published counts.
func (e *Equity) ends(w Writer, fifth string) string {
	mv, mok := e.value(w, *e.Most)
	lv, lok := e.value(w, *e.Least)
	if !mok || !lok {
		return fmt.Sprintf("too few people in the most or least deprived %s to quote their values", fifth)
	}
	return fmt.Sprintf("%s in the most deprived %s vs %s in the least", mv, fifth, lv)
}

// value is a stratum's value worked from its published counts; ok is false when either
// is hidden.
func (e *Equity) value(w Writer, s Stratum) (string, bool) {
	num, den := w.cell(s.Numerator), w.cell(s.Denominator)
	if !num.Published() || !den.Published() || den.N == 0 {
		return "", false
	}
	v := float64(num.N) / float64(den.N)
	if e.Measure == reach || e.Measure == gpReferralRate {
		return fmt.Sprintf("%.1f per 1,000", v*1000), true
	}
	return fmt.Sprintf("%.0f%%", 100*v), true
}

// subject is what the verdict's sentence is about.
func (e *Equity) subject() string {
	if e.Measure == gpReferralRate {
		return "coded referral is"
	}
	return "uptake is"
}
