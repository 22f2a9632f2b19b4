package reports

import (
	"fmt"
	"math"
	"strings"

	"github.com/socrx/socrx/disclosure"
)

// groupFigure draws one pathway measure by age band, sex and ethnic group: a dot with its
// 95% whiskers per group, the groups of each grouping under its name, and a dashed line
// at the value for all groups. Rows run down the page, so a phone shows every group.
func groupFigure(r *Report, scheme, measure string) *Figure {
	want := label(measure)
	t := r.Table("equity_by_group")
	if isGP(measure) {
		t = r.Table("gp_by_group")
	}
	v := view(t, scheme, func(row []*disclosure.Cell) bool { return row[2].Text == want })
	if len(v.Rows) == 0 {
		return nil
	}
	v = v.project("dimension", "group", "numerator_n", "denominator_n", "value", "lower", "upper")
	// one line per group and one per grouping's name
	type line struct {
		heading string
		row     []*disclosure.Cell
	}
	var lines []line
	all := -1.0
	last := ""
	for _, row := range v.Rows {
		if row[1].Text == "all groups" {
			if x, ok := row[4].Number(); ok {
				all = x
			}
			continue
		}
		if row[0].Text != last {
			last = row[0].Text
			lines = append(lines, line{heading: last})
		}
		lines = append(lines, line{row: row})
	}
	if len(lines) == 0 {
		return nil
	}
	const rowH = 22.0
	id := "grp-" + measure
	title := strings.SplitN(measureTitle(r, measure), ":", 2)[0] + " by age band, sex and ethnic group"
	c := newChart(id, title, "", 640, 40+rowH*float64(len(lines))+44)
	c.left, c.right, c.top = 150, 24, 24
	c.x0, c.x1, c.y0, c.y1 = 0, 1, float64(len(lines)), 0
	what := "share"
	if isRate(measure) {
		// a rate per 1,000 has no natural top: the axis ends above the highest interval
		top := math.Max(all, 0)
		for _, ln := range lines {
			if ln.row == nil {
				continue
			}
			for _, j := range []int{4, 6} {
				if x, ok := ln.row[j].Number(); ok {
					top = math.Max(top, x)
				}
			}
		}
		c.x1 = niceMax(math.Max(top, 0.0001) * 1.05)
		c.xTicks(numTick, "per 1,000 registered (95% interval)")
		what = "rate"
	} else {
		c.xTicks(pctTick, "share of referrals (95% interval)")
	}
	yAt := func(i int) float64 { return c.top + rowH*(float64(i)+0.5) }
	if all >= 0 {
		c.line(c.px(all), c.top, c.px(all), c.h-c.bot, cGrey, 1.2, "5 4")
	}
	var alt []string
	drawn := 0
	for i, ln := range lines {
		y := yAt(i)
		if ln.heading != "" {
			c.text(6, y+4, ln.heading, "start", "axis")
			continue
		}
		name := ln.row[1].Text
		c.text(c.left-8, y+4, name, "end", "tick")
		x, ok := ln.row[4].Number()
		if !ok {
			c.text(c.left+6, y+4, "not shown: "+hiddenWhy(ln.row), "start", "tick")
			alt = append(alt, name+": not shown")
			continue
		}
		lo, lok := ln.row[5].Number()
		hi, hok := ln.row[6].Number()
		if lok && hok {
			c.line(c.px(lo), y, c.px(hi), y, cBlue, 1.5, "")
		}
		drawn++
		c.circle(c.px(x), y, 4, cBlue, cBlue, fmt.Sprintf("%s: %s (%s to %s)", name, display(ln.row[4]), display(ln.row[5]), display(ln.row[6])))
		alt = append(alt, fmt.Sprintf("%s %s (%s to %s)", name, display(ln.row[4]), display(ln.row[5]), display(ln.row[6])))
	}
	caption := "Each group's " + what + " with its 95% interval; the dashed line is all groups together. Groups whose counts are hidden are not drawn."
	if drawn == 0 {
		// nothing to draw: the table says why each group is missing
		return &Figure{ID: id, Title: title, Table: v,
			Caption: "No group's value can be shown for this period: small numbers, or referrals still within the measure's window."}
	}
	c.desc = title + ": " + strings.Join(alt, "; ") + "."
	return &Figure{ID: id, Title: title, SVG: c.html(), Table: v, Caption: caption}
}

// hiddenWhy says why a group's value is not drawn.
func hiddenWhy(row []*disclosure.Cell) string {
	if row[2].Suppressed || row[3].Suppressed {
		return "small numbers"
	}
	return "no referrals"
}
