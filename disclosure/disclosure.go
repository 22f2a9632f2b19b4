// Package disclosure is design §6's statistical disclosure control, in one place: the
// threshold and rounding of a count of people or events, what is derived from published
// counts, secondary suppression, and the check the tests run over every output. Reports
// publish every number as a Cell made by a Policy method, and readings quote counts
// through the same methods, so no other package holds a copy of the rule.
package disclosure

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MinThreshold is the smallest threshold the design allows.
const MinThreshold = 7

// Policy is the disclosure setting of one report run.
type Policy struct {
	Threshold int // counts 1..Threshold are suppressed
	Rounding  int // larger counts are rounded to the nearest multiple of this
}

// Default is the policy when none is configured: design §6's 1–7 suppressed, round to 5.
func Default() Policy { return Policy{Threshold: MinThreshold, Rounding: 5} }

// Exact publishes every count as it is: the readings stored in the database for
// researchers inside the secure environment, never anything under the reports folder.
func Exact() Policy { return Policy{Rounding: 1} }

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
// larger counts are rounded. A count that would round down into the suppressed range
// (11 under threshold 10, rounding 10) is suppressed too: a published 10 would say
// "between 5 and 14" about a range the threshold hides.
func (p Policy) Count(n int64) *Cell {
	c := &Cell{Kind: KindCount, raw: n}
	switch {
	case n <= 0:
		c.N = 0
	case n <= int64(p.Threshold) || p.Round(n) <= int64(p.Threshold):
		c.Suppressed = true
	default:
		c.N = p.Round(n)
	}
	return c
}

// Hide withholds a published count cell, as secondary suppression does: for readings,
// whose counts must not show what a table hides.
func (c *Cell) Hide() {
	c.Suppressed, c.Secondary, c.N = true, true, 0
}

// Raw is a count cell's unrounded count, for the reports' own decisions (never printed).
func (c *Cell) Raw() int64 { return c.raw }

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

// CheckPublishedCount reports whether a published count string could have come out of
// Count: "", "*", "0", or a multiple of the rounding base above the threshold (never
// below the design's floor). The scan test and the writers' own self-check use it.
func (p Policy) CheckPublishedCount(s string) error {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", ""))
	if s == "" || s == "*" || s == "–" || s == "0" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("count %q is not a number", s)
	}
	if floor := max(p.Threshold, MinThreshold); n >= 1 && n <= int64(floor) {
		return fmt.Errorf("count %d is between 1 and %d", n, floor)
	}
	if n < 0 || (p.Rounding > 1 && n%int64(p.Rounding) != 0) {
		return fmt.Errorf("count %d is not a multiple of %d", n, p.Rounding)
	}
	return nil
}
