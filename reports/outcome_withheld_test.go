package reports

import (
	"strings"
	"testing"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/readings"
)

// TestOutcomeReadingQuotesItsPublishedPairs: an outcomes reading's one count is the
// scheme's pairs, which the outcomes table publishes; secondary suppression hiding another
// cell of the same rounded value must not make the reading call its pairs undisclosed
// (the headline card then showed a mean beside "cannot be read"), while a pairs cell the
// table hides keeps the reading's caution.
func TestOutcomeReadingQuotesItsPublishedPairs(t *testing.T) {
	p := disclosure.Policy{Threshold: 7, Rounding: 5}
	mean, lo, hi, base := 2.27, 1.12, 3.42, 18.51
	in := readings.Inputs{Outcome: &readings.Outcome{Measure: "swemwbs", Pairs: 23, MeanChange: &mean, Lower: &lo, Upper: &hi,
		BaselineMean: &base}}
	cases := []struct {
		name   string
		hidden bool // the table's all-pairs cell hidden by secondary suppression
		want   string
	}{
		{"pairs published", false, "Over about 25 pairs of assessments"},
		{"pairs hidden", true, "cannot be read: it rests on an undisclosed number of pairs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pairs := p.Count(23)
			if c.hidden {
				pairs.Hide()
			}
			b := &builder{p: p, withheld: map[int64]bool{25: true, 40: true},
				outcomes: []*outcomeCells{{row: rec{"scheme_id": "S1", "measure": "swemwbs", "dimension": "all"}, pairs: pairs}}}
			got := readings.Compose("outcome_change_swemwbs", in, readings.Writer{Policy: p, Withheld: b.outcomeWithheld("S1", "swemwbs")})
			if !strings.Contains(got, c.want) {
				t.Errorf("reading %q, want it to say %q", got, c.want)
			}
			if !b.withheld[25] || !b.withheld[40] {
				t.Error("the report's own withheld values changed")
			}
		})
	}
}
