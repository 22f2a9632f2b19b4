package stats

import (
	"fmt"
	"math"
	"testing"
)

func groupsOf(est, pop, se []float64) []Group {
	out := make([]Group, len(est))
	for i := range est {
		g := Group{Label: fmt.Sprint(i + 1), Value: est[i], Pop: pop[i]}
		if se != nil {
			g.CI = Interval{Lower: est[i] - z95*se[i], Upper: est[i] + z95*se[i]}
		}
		out[i] = g
	}
	return out
}

// TestGroupMeasuresHealthequal: WHO healthequal's own test data (25 groups, a favourable
// indicator) and the values its tests expect (design §4), to 1e-4.
func TestGroupMeasuresHealthequal(t *testing.T) {
	pop := []float64{832, 931, 1468, 1021, 1039, 1515, 1138, 620, 794, 866, 1367, 1108, 1120, 1033, 833, 1536, 1149, 410, 1210, 858, 680, 935, 692, 781, 812}
	est := []float64{61, 74, 58, 59, 72, 75, 74, 68, 75, 67, 73, 63, 66, 62, 60, 66, 71, 73, 71, 61, 74, 84, 55, 69, 60}
	s, err := GroupMeasures(groupsOf(est, pop, nil), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"bgv", s.BGV, 46.198326}, {"mdmu", s.MDMU, 5.891726}, {"mdmw", s.MDMW, 5.8348689},
		{"idisw", s.IDISW, 8.6178417}, {"ti", s.TI, 5.0359201}, {"mld", s.MLD, 5.0524006},
		{"parisk", s.PARisk, 16.293152}, {"paf", s.PAF, 24.06426},
	} {
		if math.Abs(c.got-c.want) > 1e-4 {
			t.Errorf("%s = %.7f, want %.7f", c.name, c.got, c.want)
		}
	}
	if s.Best != "22" || s.Worst != "23" || s.D != 29 || math.Abs(s.R-84.0/55) > 1e-12 {
		t.Errorf("best %s worst %s d %v r %v; want 22, 23, 29, 84/55", s.Best, s.Worst, s.D, s.R)
	}
}

// TestGroupMeasuresHandWorked: three and five groups worked by hand (and checked in
// Python with independent code).
func TestGroupMeasuresHandWorked(t *testing.T) {
	// 20%, 30%, 40% of 100, 200, 100: μ = 30; bgv = (0.25·100 + 0 + 0.25·100) = 50;
	// mdmu = (10 + 0 + 10)/3; mdmw = 0.25·10·2 = 5; ti = 1000 Σ p r ln r with r = 2/3, 1, 4/3
	s, err := GroupMeasures(groupsOf([]float64{20, 30, 40}, []float64{100, 200, 100}, []float64{4, 3, 5}), true)
	if err != nil {
		t.Fatal(err)
	}
	ti := 1000 * (0.25*(2.0/3)*math.Log(2.0/3) + 0.25*(4.0/3)*math.Log(4.0/3))
	mld := 1000 * (0.25*-math.Log(2.0/3) + 0.25*-math.Log(4.0/3))
	check(t, "three", map[string][2]float64{
		"mean": {s.Mean, 30}, "bgv": {s.BGV, 50}, "mdmu": {s.MDMU, 20.0 / 3}, "mdmw": {s.MDMW, 5},
		"idisu": {s.IDISU, 200.0 / 9}, "idisw": {s.IDISW, 50.0 / 3}, "ti": {s.TI, ti}, "mld": {s.MLD, mld},
		"parisk": {s.PARisk, 10}, "paf": {s.PAF, 100.0 / 3}, "d": {s.D, 20}, "r": {s.R, 2},
		"bgv_se": {s.BGVSE, 33.561627083620365},
	})
	// an adverse measure over five groups: the best group is the lowest
	s, err = GroupMeasures(groupsOf([]float64{12.5, 8, 10, 20, 5}, []float64{400, 300, 200, 80, 20}, []float64{1.5, 1.2, 2, 4, 3}), false)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "five", map[string][2]float64{
		"mean": {s.Mean, 11.1}, "bgv": {s.BGV, 10.99}, "mdmu": {s.MDMU, 4.12}, "mdmw": {s.MDMW, 2.544},
		"idisu": {s.IDISU, 37.11711711711712}, "idisw": {s.IDISW, 22.91891891891892}, "ti": {s.TI, 41.57638145565486},
		"mld": {s.MLD, 40.456829359225026}, "parisk": {s.PARisk, -6.1}, "paf": {s.PAF, -54.95495495495495},
		"d": {s.D, 15}, "r": {s.R, 4}, "bgv_se": {s.BGVSE, 6.837890458321192},
	})
	if s.Best != "5" || s.Worst != "4" {
		t.Errorf("adverse: best %s worst %s, want 5 and 4", s.Best, s.Worst)
	}
}

func check(t *testing.T, name string, m map[string][2]float64) {
	t.Helper()
	for k, v := range m {
		if math.Abs(v[0]-v[1]) > 1e-9*math.Max(1, math.Abs(v[1])) {
			t.Errorf("%s: %s = %.12g, want %.12g", name, k, v[0], v[1])
		}
	}
}

func TestGroupMeasuresRules(t *testing.T) {
	// two groups: d and r only
	s, err := GroupMeasures(groupsOf([]float64{40, 60}, []float64{100, 100}, nil), true)
	if err != nil || !s.DOK || !s.ROK || s.ComplexOK || s.D != 20 || s.R != 1.5 {
		t.Errorf("two groups: %+v, %v", s, err)
	}
	// a zero value: no ratio, no Theil index or mean log deviation
	s, err = GroupMeasures(groupsOf([]float64{0, 30, 60}, []float64{100, 100, 100}, nil), true)
	if err != nil || s.ROK || s.TIOK || !s.ComplexOK {
		t.Errorf("a zero group: %+v, %v", s, err)
	}
	// ties go to the first group in the given order
	s, _ = GroupMeasures(groupsOf([]float64{50, 70, 70, 50}, []float64{1, 1, 1, 1}, nil), true)
	if s.Best != "2" || s.Worst != "1" {
		t.Errorf("ties: best %s worst %s, want 2 and 1", s.Best, s.Worst)
	}
	if _, err := GroupMeasures(groupsOf([]float64{1}, []float64{1}, nil), true); err == nil {
		t.Error("one group accepted")
	}
}
