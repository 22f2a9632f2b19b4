package reports

import (
	"strings"
	"testing"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/stats"
)

// signalsReport is a report of one period whose signals table has the given rows
// (scheme, axis, signal, value, lower, upper; NaN-free, ok=false for none).
func signalsReport(period string, rows ...[]any) *Report {
	r := &Report{Period: period, Schemes: []Scheme{{ID: "ALL", Name: "All schemes"}}}
	t := &Table{Name: "signals", PerScheme: true}
	p := disclosure.Default()
	for _, row := range rows {
		v := func(i int) *disclosure.Cell {
			x, ok := row[i].(float64)
			return p.Model(x, ok, disclosure.FmtStat)
		}
		t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(row[0].(string)), disclosure.Text(row[1].(string)), disclosure.Text("axis"),
			disclosure.Text(row[2].(string)), v(3), v(4), v(5), disclosure.Text("Reading. More detail.")})
	}
	r.add(t)
	return r
}

func TestOverview(t *testing.T) {
	// sii_contacted: −0.30 (SE 0.05) → −0.05 (SE 0.05): difference 0.25, SE √0.005 =
	// 0.0707, 95% interval 0.111 to 0.389: a clear change. mean_coc: 0.70 (SE 0.05) →
	// 0.75 (SE 0.05): difference 0.05, interval −0.089 to 0.189: none.
	z95 := stats.Z95()
	se := func(v, s float64) []float64 { return []float64{v, v - z95*s, v + z95*s} }
	row := func(axis, sig string, vals []float64) []any {
		return []any{"ALL", axis, sig, vals[0], vals[1], vals[2]}
	}
	reports := []*Report{
		signalsReport("2024-Q3", row("vcs", "sii_contacted", se(-0.2, 0.05)), row("link_workers", "mean_coc", se(0.6, 0.05))),
		signalsReport("2024-Q4", row("vcs", "sii_contacted", se(-0.30, 0.05)), row("link_workers", "mean_coc", se(0.70, 0.05))),
		signalsReport("2025-Q1", row("vcs", "sii_contacted", se(-0.05, 0.05)), row("link_workers", "mean_coc", se(0.75, 0.05)),
			[]any{"ALL", "general_practice", "gp_referral_share", 0.7, nil, nil}),
	}
	ov := buildOverview(reports, map[string]string{"ALL": "2025-Q1/ALL.html"})
	if ov.Period != "2025-Q1" || ov.Previous != "2024-Q4" || ov.Periods != 3 || len(ov.Schemes) != 1 {
		t.Fatalf("overview %+v", ov)
	}
	s := ov.Schemes[0]
	var axes []string
	for _, h := range s.Headlines {
		axes = append(axes, h.Axis)
		if h.Spark == "" {
			t.Errorf("%s: no sparkline", h.Name)
		}
	}
	if got := strings.Join(axes, ","); got != "General practice,Link workers,Voluntary and community sector" {
		t.Errorf("headline axes %s", got)
	}
	if len(s.Changes) != 1 || !strings.Contains(s.Changes[0], "rose from −0.300 to −0.050") || !strings.Contains(s.Changes[0], "0.111 to 0.389") {
		t.Errorf("changes %q", s.Changes)
	}
	if h := s.Headlines[1]; !strings.HasPrefix(h.Previous, "Up from 0.700") || h.CI == "" {
		t.Errorf("mean COC headline %+v", h)
	}
	// the latest contact SII not yet measurable: the axis shows reach instead
	immature := buildOverview([]*Report{
		signalsReport("2024-Q4", row("vcs", "sii_contacted", se(-0.30, 0.05)), row("vcs", "sii_reach", se(-1, 0.2))),
		signalsReport("2025-Q1", []any{"ALL", "vcs", "sii_contacted", nil, nil, nil}, row("vcs", "sii_reach", se(-0.8, 0.2))),
	}, nil)
	if h := immature.Schemes[0].Headlines; len(h) != 1 || !strings.HasPrefix(h[0].Name, "Reach") {
		t.Errorf("immature contact: headlines %+v", h)
	}
	for _, c := range []struct{ in, want string }{
		{"Contact within 90 days. Not judged: too few strata. More.", "Contact within 90 days. Not judged: too few strata."},
		{"69% of referrals with a recorded source came from GPs (other primary care 9%). More.", "69% of referrals with a recorded source came from GPs (other primary care 9%)."},
		{"One sentence", "One sentence"},
	} {
		if got := firstSentence(c.in); got != c.want {
			t.Errorf("firstSentence(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
