// Package readings writes the plain-English reading of each framework signal (design §8
// archetype_signals.reading) from its structured inputs, under a disclosure policy. The
// transforms store the unsuppressed reading (disclosure.Exact) beside the inputs, for
// researchers inside the secure environment; the reports compose the published reading
// from the same inputs under the configured policy. One copy of the prose, one copy of
// the rule (package disclosure).
package readings

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/socrx/socrx/disclosure"
)

// Inputs are the structured inputs of one reading, stored as JSON in
// archetype_signals.inputs. Exactly one field is set. Fields named as counts are counts
// of people or events (disclosed under the policy); practice counts, days and caps are
// not about people and are quoted exactly.
type Inputs struct {
	Continuity *Continuity `json:"continuity,omitempty"` // the link-worker signals
	Sources    *Sources    `json:"sources,omitempty"`    // gp_referral_share
	Practices  *Practices  `json:"practices,omitempty"`  // share_practices_referring
	Funnel     *Funnel     `json:"funnel,omitempty"`     // funnel_outliers_*
	Equity     *Equity     `json:"equity,omitempty"`     // sii_* (VCS setting)
	Outcome    *Outcome    `json:"outcome,omitempty"`    // outcome_change_*, outcome_gradient_*
	Linkage    *Linkage    `json:"linkage,omitempty"`    // gp_coding_completeness, gp_lost_between_sectors
}

// Value is a statistic as inputs hold it: nil when undefined, else rounded to 10
// significant digits, so the last bits of a float sum (which differ between a full and an
// incremental build) cannot change the stored text.
func Value(v float64, valid bool) *float64 {
	if !valid || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 10, 64), 64)
	return &r
}

// JSON is the inputs as stored.
func (in Inputs) JSON() (string, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return "", fmt.Errorf("encoding reading inputs: %w", err)
	}
	return string(b), nil
}

// Parse reads stored inputs; an empty string is no inputs.
func Parse(s string) (Inputs, error) {
	var in Inputs
	if s == "" {
		return in, nil
	}
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return in, fmt.Errorf("reading inputs: %w", err)
	}
	return in, nil
}

// Compose is the reading of signal from its inputs under w; empty when the inputs do not
// belong to a reading this build knows.
func Compose(signal string, in Inputs, w Writer) string {
	switch {
	case in.Continuity != nil:
		return in.Continuity.reading(signal, w)
	case in.Sources != nil:
		return in.Sources.reading(w)
	case in.Practices != nil:
		return in.Practices.reading()
	case in.Funnel != nil:
		return in.Funnel.reading()
	case in.Equity != nil:
		return in.Equity.reading(w)
	case in.Outcome != nil:
		return in.Outcome.reading(signal, w)
	case in.Linkage != nil:
		return in.Linkage.reading(w)
	}
	return ""
}

// Writer quotes the numbers of a reading under one disclosure policy.
type Writer struct {
	Policy disclosure.Policy
	// Withheld are published values that secondary suppression hid in this report's
	// tables: a reading quotes no count equal to one of them, so prose cannot restore
	// what a table hides (over-cautious: any such value anywhere in the period).
	Withheld map[int64]bool
}

// Exact writes every count as it is, for the database's unsuppressed readings.
func Exact() Writer { return Writer{Policy: disclosure.Exact()} }

// MinBase is the smallest base a reading interprets (below it, it says so instead), and
// the smallest a share in a signal's value rests on: a statistical floor, apart from
// disclosure control.
const MinBase = 8

func (w Writer) cell(n int64) *disclosure.Cell {
	c := w.Policy.Count(n)
	if c.Published() && c.N > 0 && w.Withheld[c.N] {
		c.Hide()
	}
	return c
}

func (w Writer) rounded() bool { return w.Policy.Rounding > 1 }

// readable reports whether a base of n people or events is large enough to interpret
// and may be published.
func (w Writer) readable(n int64) bool { return n >= MinBase && w.cell(n).Published() }

// n quotes a count of people or events with its noun: "about 1,230 episodes" (rounded),
// "1,234 episodes" (exact), "no episodes", "a few episodes" (suppressed), "an
// undisclosed number of episodes" (hidden by secondary suppression).
func (w Writer) n(n int64, noun string) string {
	c := w.cell(n)
	switch {
	case c.Secondary:
		return "an undisclosed number of " + noun + "s"
	case c.Suppressed:
		return "a few " + noun + "s"
	case c.N == 0:
		return "no " + noun + "s"
	case c.N == 1:
		return "1 " + noun
	case w.rounded():
		return "about " + thousands(c.N) + " " + noun + "s"
	}
	return thousands(c.N) + " " + noun + "s"
}

// undisclosedShare is how a reading writes a share it may not publish.
const undisclosedShare = "an undisclosed share"

// share is num/den as a percentage worked from the published counts; undisclosed when
// either is hidden.
func (w Writer) share(num, den int64, decimals int) string {
	n, d := w.cell(num), w.cell(den)
	if !n.Published() || !d.Published() || d.N == 0 {
		return undisclosedShare
	}
	return fmt.Sprintf("%.*f%%", decimals, 100*float64(n.N)/float64(d.N))
}

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func pct(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// capital starts a sentence.
func capital(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// stat formats a statistic with a true minus sign.
func stat(v float64) string {
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
