package synthetic

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/socrx/socrx/connectors/refdata"
)

// The synthetic ICB is built on three real neighbouring local authorities — the core of
// Coventry and Warwickshire — whose LSOAs together span the national deprivation range
// (15/18/23/21/22% in IMD quintiles 1–5). Practice list sizes and the mild extra referral
// propensity in deprived areas bring referrals close to a fifth per quintile.
var icbLADs = [...]struct {
	code      string
	practices int
	odsPrefix string
}{
	{"E08000026", 26, "M86"}, // Coventry
	{"E07000222", 12, "M84"}, // Warwick
	{"E07000220", 8, "M84"},  // Rugby
}

// neighbourLADs hold the few patients registered across the ICB boundary, as in every
// real registration file.
var neighbourLADs = [...]string{"E07000218", "E07000219", "E07000221", "E08000029", "E07000151", "E07000131"}

// referralPropensity by IMD quintile (index 1 = most deprived): SP referral rates are
// higher where need is higher.
var referralPropensity = [6]float64{1, 1.4, 1.3, 1.2, 1.1, 1.0}

type lsoa struct {
	code     string
	name     string
	lad      int // index into icbLADs, or -1 outside the ICB
	rank     int
	quintile int // 1 = most deprived
	pop      int // residents
}

type practice struct {
	code   string
	name   string
	lad    int
	pcn    int
	scheme int
	list   int // registered patients, first extract
	closed int // patients with LSOA_CODE = CLOSED
}

// regCell is the registered patients of one practice living in one LSOA.
type regCell struct {
	practice int
	lsoa     int
	patients int
}

// icb is the small, fixed lookup state of one generation: areas, practices and
// registrations.
type icb struct {
	lsoas     []lsoa
	practices []practice
	cells     []regCell // sorted by practice, then LSOA code
	ladNames  []string
	pcns      int
}

var practiceWords = [...]string{
	"ALDER", "ASH", "BEECH", "BIRCH", "BROOKSIDE", "CASTLE", "CEDAR", "CHAPEL", "CHESTNUT",
	"CROSS", "DALE", "ELM TREE", "FERNDALE", "FOUNTAIN", "GREENWAY", "HAWTHORN", "HAZEL",
	"HEATH", "HOLLY", "KINGSWAY", "LARCH", "LAUREL", "LIME TREE", "MAPLE", "MEADOW",
	"MILL", "NORTHGATE", "OAK TREE", "ORCHARD", "PARKSIDE", "PRIORY", "QUEENSWAY",
	"RIVERSIDE", "ROWAN", "SPRINGFIELD", "STATION ROAD", "SYCAMORE", "THE GROVE",
	"VALLEY", "WESTGATE", "WILLOW", "WOODLANDS", "YEW TREE", "ABBEY", "BRIDGE", "CHURCH",
	"HIGH STREET", "LONGFORD", "MARKET", "NEWLANDS",
}

var practiceSuffixes = [...]string{"SURGERY", "MEDICAL CENTRE", "HEALTH CENTRE", "MEDICAL PRACTICE", "FAMILY PRACTICE"}

// buildICB lays out the synthetic ICB from the shipped IMD 2019 file.
func buildICB(g *rng) (*icb, error) {
	data, err := refdata.ReadFile("imd2019_lsoa11.csv")
	if err != nil {
		return nil, fmt.Errorf("reading shipped IMD 2019: %w", err)
	}
	ladIndex := map[string]int{}
	for i, l := range icbLADs {
		ladIndex[l.code] = i
	}
	outside := map[string]bool{}
	for _, c := range neighbourLADs {
		outside[c] = true
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("reading IMD 2019 header: %w", err)
	}
	c := &icb{ladNames: make([]string, len(icbLADs))}
	var in, out []lsoa
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading IMD 2019: %w", err)
		}
		li, inICB := ladIndex[rec[2]]
		if !inICB && !outside[rec[2]] {
			continue
		}
		rank, err1 := strconv.Atoi(rec[4])
		decile, err2 := strconv.Atoi(rec[5])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("IMD 2019 row %s: bad rank or decile", rec[0])
		}
		l := lsoa{code: rec[0], name: rec[1], rank: rank, quintile: (decile + 1) / 2, lad: -1}
		if inICB {
			l.lad = li
			c.ladNames[li] = rec[3]
			in = append(in, l)
		} else {
			out = append(out, l)
		}
	}
	// Sorting by name orders LSOAs by MSOA number within a district ("Coventry 014B"),
	// which ONS assigns roughly geographically: contiguous runs are neighbourhoods.
	sort.Slice(in, func(i, j int) bool {
		if in[i].lad != in[j].lad {
			return in[i].lad < in[j].lad
		}
		return in[i].name < in[j].name
	})
	sort.Slice(out, func(i, j int) bool { return out[i].code < out[j].code })
	for i, l := range icbLADs {
		if c.ladNames[i] == "" {
			return nil, fmt.Errorf("local authority %s not found in the shipped IMD 2019", l.code)
		}
	}
	nIn := len(in)
	c.lsoas = append(in, out...)
	for i := range c.lsoas {
		c.lsoas[i].pop = int(math.Round(math.Min(3000, math.Max(1000, g.lognormal(1650, 0.15)))))
	}

	// Practices: each LAD's ordered LSOAs are cut into contiguous neighbourhoods of uneven
	// size, one per practice, so list sizes vary like real ones.
	cells := map[[2]int]int{}
	names := g.r.Perm(len(practiceWords))
	start := 0
	for li, lad := range icbLADs {
		end := start
		for end < nIn && c.lsoas[end].lad == li {
			end++
		}
		bounds := neighbourhoods(g, end-start, lad.practices)
		first := len(c.practices)
		for k := 0; k < lad.practices; k++ {
			n := len(c.practices)
			c.practices = append(c.practices, practice{
				code: lad.odsPrefix + strconv.Itoa(901+countLAD(c.practices, lad.odsPrefix)),
				name: practiceWords[names[n%len(names)]] + " " + practiceSuffixes[g.intn(len(practiceSuffixes))],
				lad:  li,
			})
		}
		// Where people register: mostly the neighbourhood's own practice, some the next
		// one or two along, the odd one further away.
		for k := 0; k < lad.practices; k++ {
			for i := start + bounds[k]; i < start+bounds[k+1]; i++ {
				// Fixed summation order keeps the float arithmetic, and so the
				// output, identical from run to run.
				share := [5]float64{0.03, 0.10, 0.70, 0.10, 0.03}
				total := 0.0
				for off := -2; off <= 2; off++ {
					if j := k + off; j >= 0 && j < lad.practices {
						total += share[off+2]
					}
				}
				for off := -2; off <= 2; off++ {
					j := k + off
					if j < 0 || j >= lad.practices {
						continue
					}
					if n := int(math.Round(float64(c.lsoas[i].pop) * 0.95 * share[off+2] / total)); n > 0 {
						cells[[2]int{first + j, i}] += n
					}
				}
			}
		}
		start = end
	}
	for p := range c.practices {
		for k := g.between(4, 10); k > 0; k-- {
			cells[[2]int{p, g.intn(nIn)}] += g.between(1, 6)
		}
		for k := g.intn(4); k > 0 && len(out) > 0; k-- {
			cells[[2]int{p, nIn + g.intn(len(out))}] += g.between(1, 4)
		}
		if g.bernoulli(0.4) {
			c.practices[p].closed = g.between(1, 8)
		}
	}
	for k, n := range cells {
		c.cells = append(c.cells, regCell{practice: k[0], lsoa: k[1], patients: n})
		c.practices[k[0]].list += n
	}
	sort.Slice(c.cells, func(i, j int) bool {
		a, b := c.cells[i], c.cells[j]
		if a.practice != b.practice {
			return c.practices[a.practice].code < c.practices[b.practice].code
		}
		return c.lsoas[a.lsoa].code < c.lsoas[b.lsoa].code
	})
	c.assignSchemes(g, len(Archetypes()))
	return c, nil
}

func countLAD(ps []practice, prefix string) int {
	n := 0
	for _, p := range ps {
		if strings.HasPrefix(p.code, prefix) {
			n++
		}
	}
	return n
}

// neighbourhoods cuts n ordered LSOAs into k contiguous runs of 3 to 11 LSOAs (about
// 5,000 to 18,000 people: real practices' list sizes), returning the k+1 boundaries.
// Random transfers between runs keep every size within bounds.
func neighbourhoods(g *rng, n, k int) []int {
	const lo, hi = 3, 11
	size := make([]int, k)
	for i := range size {
		size[i] = n / k
		if i < n%k {
			size[i]++
		}
	}
	for t := 0; t < 8*k; t++ {
		i, j, m := g.intn(k), g.intn(k), g.between(1, 3)
		if i != j && size[i]-m >= lo && size[j]+m <= hi {
			size[i] -= m
			size[j] += m
		}
	}
	b := make([]int, k+1)
	for i, s := range size {
		b[i+1] = b[i] + s
	}
	return b
}

// assignSchemes groups each district's practices into PCNs of 3–6 neighbours and deals
// the PCNs to schemes in a snake over their deprivation, so that every scheme serves
// both deprived and affluent neighbourhoods (a real ICB's schemes are PCN contracts).
func (c *icb) assignSchemes(g *rng, schemes int) {
	pcn := 0
	for li := range icbLADs {
		var ps []int
		for p := range c.practices {
			if c.practices[p].lad == li {
				ps = append(ps, p)
			}
		}
		for i := 0; i < len(ps); {
			size := min(g.between(3, 6), len(ps)-i)
			if len(ps)-i-size < 3 && len(ps)-i-size > 0 {
				size = len(ps) - i // don't leave a tiny PCN at the end
			}
			for _, p := range ps[i : i+size] {
				c.practices[p].pcn = pcn
			}
			pcn++
			i += size
		}
	}
	c.pcns = pcn
	rankSum := make([]float64, pcn)
	popSum := make([]float64, pcn)
	for _, cell := range c.cells {
		p := c.practices[cell.practice].pcn
		rankSum[p] += float64(c.lsoas[cell.lsoa].rank * cell.patients)
		popSum[p] += float64(cell.patients)
	}
	order := make([]int, pcn)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(i, j int) bool {
		return rankSum[order[i]]/popSum[order[i]] < rankSum[order[j]]/popSum[order[j]]
	})
	schemeOf := make([]int, pcn)
	for i, p := range order {
		round, pos := i/schemes, i%schemes
		if round%2 == 1 {
			pos = schemes - 1 - pos
		}
		schemeOf[p] = pos
	}
	for p := range c.practices {
		c.practices[p].scheme = schemeOf[c.practices[p].pcn]
	}
}

// place is where a referred person lives and is registered.
type place struct {
	practice int
	lsoa     int
}

// referralTable returns, per scheme, the (practice, LSOA) places of its practices'
// registered patients with cumulative weights for drawing referred people: registered
// patients × deprivation propensity × a practice's own referring habit.
func (c *icb) referralTable(g *rng, schemes int) ([][]place, [][]float64) {
	habit := make([]float64, len(c.practices))
	for p := range habit {
		habit[p] = g.lognormal(1, 0.35)
	}
	places := make([][]place, schemes)
	weights := make([][]float64, schemes)
	for _, cell := range c.cells {
		s := c.practices[cell.practice].scheme
		places[s] = append(places[s], place{cell.practice, cell.lsoa})
		weights[s] = append(weights[s], float64(cell.patients)*referralPropensity[c.lsoas[cell.lsoa].quintile]*habit[cell.practice])
	}
	for s := range weights {
		weights[s] = cumulative(weights[s])
	}
	return places, weights
}
