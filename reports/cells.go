package reports

import (
	"math"
	"strconv"
	"strings"

	"github.com/socrx/socrx/disclosure"
)

// How a published cell is written: for people (HTML, chart labels) and for machines
// (CSV, XLSX). What may be published is decided in package disclosure; this is only
// presentation.

// display is the cell as people read it: thousands separators, percentages, `*` for
// suppressed, an en dash for no value.
func display(c *disclosure.Cell) string {
	switch {
	case c == nil:
		return ""
	case c.Kind == disclosure.KindText:
		// text is shown to people: ids from data must not hide or reorder characters
		return visible(c.Text)
	case c.Suppressed:
		return "*"
	case c.Null:
		return "–"
	case c.Kind == disclosure.KindCount || c.Kind == disclosure.KindPlain:
		return thousands(c.N)
	}
	switch c.Format {
	case disclosure.FmtPercent:
		return strconv.FormatFloat(100*c.V, 'f', 1, 64) + "%"
	case disclosure.FmtPer1000:
		return strconv.FormatFloat(c.V, 'f', 1, 64)
	case disclosure.FmtDays, disclosure.FmtInteger:
		return thousands(int64(math.Round(c.V)))
	case disclosure.FmtStat:
		return minus(strconv.FormatFloat(c.V, 'f', 3, 64))
	case disclosure.FmtBool:
		if c.V != 0 {
			return "yes"
		}
		return "no"
	}
	return minus(strconv.FormatFloat(c.V, 'f', 2, 64))
}

// machine is the cell as plain text for machines: plain digits, `*` for suppressed, empty
// for none. The CSV files write a suppressed cell empty with a flag column (csvValue).
func machine(c *disclosure.Cell) string {
	switch {
	case c == nil:
		return ""
	case c.Kind == disclosure.KindText:
		return c.Text
	case c.Suppressed:
		return "*"
	case c.Null:
		return ""
	case c.Kind == disclosure.KindCount || c.Kind == disclosure.KindPlain:
		return strconv.FormatInt(c.N, 10)
	case c.Format == disclosure.FmtBool:
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
