package reports

import (
	"strings"
	"unicode/utf8"

	"github.com/socrx/socrx/disclosure"
)

// phoneWidth is the width a table has on a 390 px phone (less the page's padding).
const phoneWidth = 366

// Wide tells whether a table is likely wider than a phone's screen, so the page can say
// it scrolls sideways there (CSS cannot tell whether a box overflows). The estimate is
// deliberately rough: about 8 px a character at the tables' 12.5 px, headers wrapped at
// spaces, text columns at their longest line up to 16 characters, row labels at least
// 8.5em, and 12 px of padding a column.
func (v *View) Wide() bool {
	if v == nil {
		return false
	}
	total := 0.0
	for j, col := range v.Columns {
		chars := 0
		for _, w := range strings.Fields(col.Label) {
			chars = max(chars, utf8.RuneCountInString(w))
		}
		text := col.Kind == disclosure.KindText || j == 0
		for _, row := range v.Rows {
			if j >= len(row) {
				continue
			}
			n := utf8.RuneCountInString(display(row[j]))
			if text {
				n = min(n, 16)
			}
			chars = max(chars, n)
		}
		switch {
		case j == 0:
			chars = max(chars, 12) // a phone's row labels are at least 8.5em wide (style.css)
		case text:
			chars = max(chars, 6)
		}
		total += float64(chars)*8 + 12
	}
	return total > phoneWidth
}
