package readings

import (
	"fmt"
	"strings"
)

// Sources holds the referral-source mix behind gp_referral_share: referrals by source,
// including "not_recorded".
type Sources struct {
	Mix []SourceCount `json:"mix"`
}

// SourceCount is the number of referrals from one source.
type SourceCount struct {
	Source    string `json:"source"`
	Referrals int64  `json:"referrals"`
}

// SourceLabel names a referral source for people (readings and report tables).
func SourceLabel(source string) string {
	switch source {
	case "gp":
		return "GP"
	case "other_primary_care":
		return "other primary care"
	case "secondary_care":
		return "secondary care"
	case "social_care":
		return "social care"
	case "vcs":
		return "VCS"
	case "self":
		return "self-referral"
	default:
		return source // nurse, other and unmapped codes read as they are
	}
}

func (s *Sources) reading(w Writer) string {
	var total, recorded, gp, missing int64
	for _, m := range s.Mix {
		total += m.Referrals
		if m.Source == "not_recorded" {
			missing = m.Referrals
			continue
		}
		recorded += m.Referrals
		if m.Source == "gp" {
			gp = m.Referrals
		}
	}
	if !w.readable(recorded) {
		return fmt.Sprintf("The referral-source mix cannot be read: %s had a recorded source.", w.n(recorded, "referral"))
	}
	// other sources with their shares; those whose share cannot be published named once
	var parts, hidden []string
	for _, m := range s.Mix {
		if m.Source == "gp" || m.Source == "not_recorded" {
			continue
		}
		if sh := w.share(m.Referrals, recorded, 0); sh != undisclosedShare {
			parts = append(parts, SourceLabel(m.Source)+" "+sh)
		} else {
			hidden = append(hidden, SourceLabel(m.Source))
		}
	}
	if len(hidden) > 0 {
		parts = append(parts, "too few to publish from "+list(hidden))
	}
	out := fmt.Sprintf("%s of referrals with a recorded source came from GPs", capital(w.share(gp, recorded, 0)))
	if len(parts) > 0 {
		out += " (" + strings.Join(parts, "; ") + ")"
	}
	out += fmt.Sprintf("; %s in all", w.n(total, "referral"))
	if missing > 0 {
		out += fmt.Sprintf(", %s with no source recorded", w.share(missing, total, 0))
	}
	return out + ". A high GP share suggests social needs are being picked up in consultations; it cannot show whether GPs kept " +
		"the social context in view after referring (feedback to the referrer is not recorded), nor what share of " +
		"other sources were prompted by the practice."
}

// list joins names as prose: "a", "a and b", "a, b and c".
func list(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// Practices holds the inputs of share_practices_referring: numbers of practices, which
// are not about people and are quoted exactly.
type Practices struct {
	Period    string `json:"period"`
	Referring int64  `json:"referring"`
	Practices int64  `json:"practices"`
	Basis     string `json:"basis"` // configured, referred_any_period or all_schemes
}

func (p *Practices) reading() string {
	when := "in " + p.Period
	if p.Period == "all" {
		when = "over the whole span"
	}
	share := "–"
	if p.Practices > 0 {
		share = pct(float64(p.Referring) / float64(p.Practices))
	}
	s := fmt.Sprintf("%d of %d practices (%s) made at least one referral %s. ", p.Referring, p.Practices, share, when)
	switch p.Basis {
	case "configured":
		s += "Denominator: the practices configured for the scheme."
	case "referred_any_period":
		s += "Denominator: the practices that referred to the scheme at any time in the data; no practice list is " +
			"configured, so practices that never referred are not counted and the share is biased upwards."
	default:
		s += "Denominator: every scheme's practices (its configured list, else the practices that ever referred to it)."
	}
	return s + " A practice that never refers may be holding social needs itself or not engaging with the scheme; " +
		"the records cannot tell which."
}

// Funnel holds the inputs of funnel_outliers_*: numbers of practices judged against the
// 99.8% limits. Reports fill it from the flags they publish, so the reading counts what
// the table and chart show.
type Funnel struct {
	Measure    string   `json:"measure"` // a practice_variation measure
	WindowDays int64    `json:"window_days"`
	Judged     int64    `json:"judged"`   // practices with a value judged against the limits
	Outliers   int64    `json:"outliers"` // of those, outside the limits
	Hidden     int64    `json:"hidden"`   // practices whose counts are too small to publish
	High       []string `json:"high,omitempty"`
	Low        []string `json:"low,omitempty"`
	Average    *float64 `json:"average,omitempty"` // the scheme average the limits are drawn around
}

func (f *Funnel) reading() string {
	what := fmt.Sprintf("contacted proportion (first link-worker contact within %d days of referral)", f.WindowDays)
	avg := "–"
	if f.Average != nil {
		avg = fmt.Sprintf("%.1f%%", 100**f.Average)
	}
	switch f.Measure {
	case "referral_rate", gpReferralRate:
		what = "referral rate per 1,000 registered patients"
		if f.Measure == gpReferralRate {
			what = "rate of GP-coded referrals per 1,000 registered patients"
		}
		if f.Average != nil {
			avg = fmt.Sprintf("%.1f per 1,000", *f.Average)
		}
	case measureCompleteness:
		what = "coding completeness (platform referrals from the practice with a referral code in the GP record within 30 days)"
	case measureLost:
		what = "share of GP-coded referrals the platform did not see within 60 days"
	}
	switch {
	case f.Judged+f.Hidden == 0:
		return fmt.Sprintf("No practice had a denominator for the %s, so there is no funnel plot.", what)
	case f.Judged == 0:
		return fmt.Sprintf("No practice can be judged against the funnel limits for the %s here: the counts are too small to publish.", what)
	}
	s := fmt.Sprintf("%d of %d practices had a %s outside the 99.8%% funnel limits around the scheme average of %s",
		f.Outliers, f.Judged, what, avg)
	var who []string
	if len(f.High) > 0 {
		who = append(who, "high: "+strings.Join(f.High, ", "))
	}
	if len(f.Low) > 0 {
		who = append(who, "low: "+strings.Join(f.Low, ", "))
	}
	if len(who) > 0 {
		s += " (" + strings.Join(who, "; ") + ")"
	}
	if f.Hidden > 0 {
		s += fmt.Sprintf("; %d more with counts too small to publish are not judged here", f.Hidden)
	}
	return s + ". Whether a practice is outside is decided on its unrounded counts. Funnel limits allow only for chance; " +
		"variation can reflect list size, case mix and how referrals are recorded as much as practice behaviour, and many " +
		"practices are tested at once."
}
