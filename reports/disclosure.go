package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Disclosure control (design §6) happens here and nowhere else. Every number a report
// publishes is a Cell, and the only ways to make a numeric Cell are the Policy methods
// below, so a writer (HTML, chart, XLSX, CSV) cannot publish a raw count by accident: it
// renders Cells, and a Cell keeps its raw count unexported.

// MinThreshold is the smallest threshold the design allows.
const MinThreshold = 7

// Policy is the disclosure setting of one report run.
type Policy struct {
	Threshold int // counts 1..Threshold are suppressed
	Rounding  int // larger counts are rounded to the nearest multiple of this
}

// Validate refuses settings below the design's floor.
func (p Policy) Validate() error {
	if p.Threshold < MinThreshold {
		return fmt.Errorf("disclosure threshold %d is below the minimum %d", p.Threshold, MinThreshold)
	}
	if p.Rounding < 1 {
		return fmt.Errorf("disclosure rounding %d must be at least 1", p.Rounding)
	}
	return nil
}

// Kind says how a Cell is published.
type Kind int

const (
	KindText  Kind = iota // free text (labels, ids, readings)
	KindCount             // count of people or events: suppressed and rounded
	KindValue             // derived number (rate, share, mean, statistic)
	KindPlain             // exact number that is not about people (practice counts, cap k, run id)
)

// Format says how a KindValue cell is written for people (HTML, chart labels); CSV and
// XLSX always hold the plain number.
type Format int

const (
	FmtDecimal Format = iota // 2 decimals
	FmtPercent               // value × 100, 1 decimal, with %
	FmtPer1000               // 1 decimal
	FmtDays                  // integer days
	FmtStat                  // 3 significant decimals, true minus sign
	FmtBool                  // yes / no
	FmtInteger               // integer
)

// Cell is one published value.
type Cell struct {
	Kind       Kind
	Format     Format
	Text       string  // KindText
	N          int64   // KindCount (rounded) and KindPlain integers
	V          float64 // KindValue
	Null       bool    // no value (not applicable, not computable)
	Suppressed bool    // disclosure control withheld it
	Secondary  bool    // withheld by secondary suppression
	raw        int64   // KindCount only: the unrounded count, for secondary suppression
}

// Text is a text cell.
func Text(s string) *Cell { return &Cell{Kind: KindText, Text: s} }

// Plain is an exact integer that is not a count of people or events.
func Plain(n int64) *Cell { return &Cell{Kind: KindPlain, Format: FmtInteger, N: n} }

// Null is an empty value cell.
func Null() *Cell { return &Cell{Kind: KindValue, Null: true} }

// Round rounds n ≥ 0 to the nearest multiple of the rounding base (halves up).
func (p Policy) Round(n int64) int64 {
	r := int64(p.Rounding)
	if r <= 1 {
		return n
	}
	return (n + r/2) / r * r
}

// Count publishes a count of people or events: 0 stays 0, 1..threshold is suppressed,
// larger counts are rounded.
func (p Policy) Count(n int64) *Cell {
	c := &Cell{Kind: KindCount, raw: n}
	switch {
	case n <= 0:
		c.N = 0
	case n <= int64(p.Threshold):
		c.Suppressed = true
	default:
		c.N = p.Round(n)
	}
	return c
}

// NullCount is a count that does not exist (e.g. no population file).
func (p Policy) NullCount() *Cell { return &Cell{Kind: KindCount, Null: true} }

// Ratio is num / den × scale from the published (rounded) counts; suppressed when either
// is suppressed, empty when either is empty or den is 0.
func (p Policy) Ratio(num, den *Cell, scale float64, f Format) *Cell {
	c := &Cell{Kind: KindValue, Format: f}
	switch {
	case num.Suppressed || den.Suppressed:
		c.Suppressed = true
	case num.Null || den.Null || den.N == 0:
		c.Null = true
	default:
		c.V = float64(num.N) / float64(den.N) * scale
	}
	return c
}

// Derived is a value computed from published cells by f; suppressed if any input is.
func (p Policy) Derived(inputs []*Cell, format Format, f func() (float64, bool)) *Cell {
	c := &Cell{Kind: KindValue, Format: format}
	for _, in := range inputs {
		if in.Suppressed {
			c.Suppressed = true
			return c
		}
	}
	v, ok := f()
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		c.Null = true
		return c
	}
	c.V = v
	return c
}

// Summary publishes a mean, median or percentile of person-level values over n people:
// suppressed when n is at or below the threshold.
func (p Policy) Summary(v float64, valid bool, n int64, f Format) *Cell {
	c := &Cell{Kind: KindValue, Format: f}
	switch {
	case n <= int64(p.Threshold) && n > 0:
		c.Suppressed = true
	case !valid || n == 0 || math.IsNaN(v):
		c.Null = true
	default:
		c.V = v
	}
	return c
}

// Model publishes a model output exempt from disclosure control (SII, RII, RCI, ACI,
// Erreygers and their intervals).
func (p Policy) Model(v float64, valid bool, f Format) *Cell {
	if !valid || math.IsNaN(v) || math.IsInf(v, 0) {
		return &Cell{Kind: KindValue, Format: f, Null: true}
	}
	return &Cell{Kind: KindValue, Format: f, V: v}
}

// SecondarySuppress protects suppressed cells in tables with totals. Each line is a set
// of count cells that add up to a published total (the total is one of the cells): if a
// line has exactly one suppressed cell, the next smallest (non-zero first) is suppressed
// too, so the hidden one cannot be worked out by subtraction. Lines share cells across
// tables, so one pass covers every table of a report; it repeats until nothing changes.
func (p Policy) SecondarySuppress(lines [][]*Cell) {
	for changed := true; changed; {
		changed = false
		for _, line := range lines {
			var hidden int
			var pick *Cell
			for _, c := range line {
				if c.Kind != KindCount || c.Null {
					continue
				}
				if c.Suppressed {
					hidden++
					continue
				}
				if pick == nil || less(c, pick) {
					pick = c
				}
			}
			if hidden == 1 && pick != nil {
				pick.Suppressed, pick.Secondary, pick.N = true, true, 0
				changed = true
			}
		}
	}
}

// less orders candidates for secondary suppression: non-zero before zero (hiding a zero
// protects nothing when the other cells are known), then by size.
func less(a, b *Cell) bool {
	if (a.raw == 0) != (b.raw == 0) {
		return a.raw != 0
	}
	return a.raw < b.raw
}

// Published reports whether the cell holds a number a reader can see.
func (c *Cell) Published() bool { return c != nil && !c.Suppressed && !c.Null }

// Number is the cell's published number (for charts); ok is false when there is none.
func (c *Cell) Number() (float64, bool) {
	if !c.Published() {
		return 0, false
	}
	switch c.Kind {
	case KindCount, KindPlain:
		return float64(c.N), true
	case KindValue:
		return c.V, true
	}
	return 0, false
}

// Display is the cell as people read it: thousands separators, percentages, `*` for
// suppressed, an en dash for no value.
func (c *Cell) Display() string {
	switch {
	case c == nil:
		return ""
	case c.Kind == KindText:
		// text is shown to people: ids from data must not hide or reorder characters
		return visible(c.Text)
	case c.Suppressed:
		return "*"
	case c.Null:
		return "–"
	case c.Kind == KindCount || c.Kind == KindPlain:
		return thousands(c.N)
	}
	switch c.Format {
	case FmtPercent:
		return strconv.FormatFloat(100*c.V, 'f', 1, 64) + "%"
	case FmtPer1000:
		return strconv.FormatFloat(c.V, 'f', 1, 64)
	case FmtDays, FmtInteger:
		return thousands(int64(math.Round(c.V)))
	case FmtStat:
		return minus(strconv.FormatFloat(c.V, 'f', 3, 64))
	case FmtBool:
		if c.V != 0 {
			return "yes"
		}
		return "no"
	}
	return minus(strconv.FormatFloat(c.V, 'f', 2, 64))
}

// Machine is the cell as CSV holds it: plain digits, `*` for suppressed, empty for none.
func (c *Cell) Machine() string {
	switch {
	case c == nil:
		return ""
	case c.Kind == KindText:
		return c.Text
	case c.Suppressed:
		return "*"
	case c.Null:
		return ""
	case c.Kind == KindCount || c.Kind == KindPlain:
		return strconv.FormatInt(c.N, 10)
	case c.Format == FmtBool:
		if c.V != 0 {
			return "true"
		}
		return "false"
	}
	return strconv.FormatFloat(roundSig(c.V), 'g', -1, 64)
}

// roundSig keeps machine-readable values to 10 significant digits, so the last bits of a
// float sum cannot make two runs differ.
func roundSig(v float64) float64 {
	if v == 0 {
		return 0
	}
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 10, 64), 64)
	return f
}

func minus(s string) string { return strings.Replace(s, "-", "\u2212", 1) }

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "\u2212" + b.String()
	}
	return b.String()
}

// CheckPublishedCount reports whether a published count string could have come out of
// Count: "", "*", "0", or a multiple of the rounding base above the design's floor. The
// scan test and the writers' own self-check use it.
func (p Policy) CheckPublishedCount(s string) error {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	if s == "" || s == "*" || s == "–" || s == "0" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("count %q is not a number", s)
	}
	if n >= 1 && n <= MinThreshold {
		return fmt.Errorf("count %d is between 1 and %d", n, MinThreshold)
	}
	if n < 0 || (p.Rounding > 1 && n%int64(p.Rounding) != 0) {
		return fmt.Errorf("count %d is not a multiple of %d", n, p.Rounding)
	}
	return nil
}
