package equity

import (
	"fmt"
	"math"
	"strings"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/internal/published"
	"github.com/socrx/socrx/transforms/model"
)

// Readings: the plain-English text of each VCS signal, which quotes the numbers it rests
// on (design §8 archetype_signals.reading).

// measureText names a measure in a reading.
func measureText(measure string, window int64, p model.Params) string {
	switch measure {
	case "contacted":
		return fmt.Sprintf("Contact with a link worker within %d days", window)
	case "engaged":
		return fmt.Sprintf("Engagement (%d or more link-worker contacts within %d days)", p.EngagedMinContacts, window)
	case "vcs_uptake":
		return fmt.Sprintf("Uptake of a VCS activity within %d days", window)
	case measureReach:
		return "Reach (people referred per 1,000 registered patients)"
	}
	return measure
}

// reading is the plain-English reading of a VCS signal. Counts quoted in free text
// cannot be reached by the reports' disclosure control later, so they are published as
// design §6 would publish them, and values are worked from the rounded counts.
func reading(s summary, f cellFacts, p model.Params) string {
	var b strings.Builder
	b.WriteString(measureText(s.measure, s.window, p))
	fifth := "fifth"
	if s.basis.Valid && s.basis.String == "local" {
		fifth = "local fifth"
	}
	switch s.verdict {
	case stats.VerdictRedistributive:
		b.WriteString(" rose with deprivation")
	case stats.VerdictNonRedistributive:
		b.WriteString(" fell with deprivation")
	case stats.VerdictNoClearGradient:
		b.WriteString(" showed no clear gradient by deprivation")
	}
	if s.haveEnds {
		b.WriteString(": " + endsText(s, fifth))
	}
	if !math.IsNaN(s.sii) {
		fmt.Fprintf(&b, "; SII %s (95%% CI %s to %s)", statText(s.sii), statText(s.siiLo), statText(s.siiHi))
	}
	b.WriteString(". ")
	switch s.verdict {
	case stats.VerdictRedistributive:
		b.WriteString("Uptake is higher where need is higher, the redistributive pattern. ")
	case stats.VerdictNonRedistributive:
		b.WriteString("Uptake is lower where need is higher, the inverse care law (non-redistributive) pattern. ")
	case stats.VerdictNoClearGradient:
		b.WriteString("The interval includes no gradient at all, so neither pattern is shown. ")
	default:
		b.WriteString("Not judged: " + s.reason + ". ")
	}
	if s.discordant.Valid && s.discordant.Bool {
		fmt.Fprintf(&b, "The concentration index (%s, 95%% CI %s to %s) tells a different story, so read this with care. ",
			statText(s.rci), statText(s.rciLo), statText(s.rciHi))
	}
	if n := f.excluded[cell{s.scheme, s.period}]; n > 0 {
		fmt.Fprintf(&b, "%s without a usable LSOA %s left out. ", countText(n, "referral"), were(n))
	}
	b.WriteString("This is one signal among many tests, not a verdict on the scheme.")
	return b.String()
}

// endsText compares the most and least deprived fifths from published (rounded) counts.
func endsText(s summary, fifth string) string {
	most, least := s.ends[0], s.ends[1]
	mv, mok := publishedValue(most)
	lv, lok := publishedValue(least)
	if !mok || !lok {
		return fmt.Sprintf("too few people in the most or least deprived %s to quote their values", fifth)
	}
	return fmt.Sprintf("%s in the most deprived %s vs %s in the least", mv, fifth, lv)
}

// publishedValue is a stratum's value worked from counts rounded as reports publish them;
// ok is false when either count would be suppressed.
func publishedValue(r stratumRow) (string, bool) {
	num, nok := published.Count(r.num)
	den, dok := published.Count(r.den.Int64)
	if !nok || !dok || den == 0 {
		return "", false
	}
	v := float64(num) / float64(den)
	if r.measure == measureReach {
		return fmt.Sprintf("%.1f per 1,000", v*reachMultiplier), true
	}
	return fmt.Sprintf("%.0f%%", 100*v), true
}

func countText(n int64, noun string) string {
	r, ok := published.Count(n)
	if !ok {
		return "Fewer than 8 " + noun + "s"
	}
	return fmt.Sprintf("About %d %ss", r, noun)
}

func were(n int64) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

// statText formats a statistic for a reading with a true minus sign.
func statText(v float64) string {
	var s string
	switch a := math.Abs(v); {
	case a >= 0.1:
		s = fmt.Sprintf("%.2f", v)
	case a >= 0.001:
		s = fmt.Sprintf("%.2g", v)
	default:
		// a fitted slope of exactly nothing comes out as ±1e-17; it reads as zero
		return "0.00"
	}
	return strings.Replace(s, "-", "\u2212", 1)
}
