package synthetic

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// Independent random streams: the ICB layout, the clean rows and the planted faults each
// draw from their own PCG stream, so the layout does not depend on the number of
// referrals and turning messy mode on leaves every clean row exactly as it was.
const (
	streamICB    = 1
	streamRows   = 2
	streamFaults = 3
	// streamOutcomes draws the wellbeing assessments apart from every other stream, so
	// turning them on changes no other row
	streamOutcomes = 4
	// streamGP draws the GP records (Options.GP), for the same reason
	streamGP = 5
)

// rng wraps a PCG source. The hot paths call the concrete PCG directly rather than
// through rand.Rand's Source interface, which matters at millions of rows a second.
type rng struct {
	pcg *rand.PCG
	r   *rand.Rand
}

func newRNG(seed uint64, stream uint64) *rng {
	p := rand.NewPCG(seed, stream*0x9e3779b97f4a7c15+1)
	return &rng{pcg: p, r: rand.New(p)}
}

// float returns a uniform value in [0, 1).
func (g *rng) float() float64 {
	return float64(g.pcg.Uint64()>>11) * (1.0 / (1 << 53))
}

// intn returns a uniform value in [0, n) (Lemire's multiply-shift; the tiny bias at
// n ≪ 2^64 is irrelevant here).
func (g *rng) intn(n int) int {
	hi, _ := bits.Mul64(g.pcg.Uint64(), uint64(n))
	return int(hi)
}

// between returns a uniform integer in [lo, hi].
func (g *rng) between(lo, hi int) int {
	return lo + g.intn(hi-lo+1)
}

func (g *rng) bernoulli(p float64) bool {
	return g.float() < p
}

func (g *rng) norm() float64 {
	return g.r.NormFloat64()
}

// lognormal returns median × exp(sigma × Z).
func (g *rng) lognormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*g.norm())
}

// geometric returns the number of continuations before the first stop when each step
// continues with probability cont (0, 1, 2, …).
func (g *rng) geometric(cont float64) int {
	if cont <= 0 {
		return 0
	}
	u := g.float()
	return int(math.Floor(math.Log1p(-u) / math.Log(cont)))
}

// pick returns an index drawn from cumulative weights cum (last element = total).
func (g *rng) pick(cum []float64) int {
	u := g.float() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > u {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// cumulative returns running sums of w.
func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

// logistic turns a base probability and an odds ratio per step into the probability
// steps away from the base.
func logistic(base, oddsRatio float64, steps int) float64 {
	l := math.Log(base/(1-base)) + math.Log(oddsRatio)*float64(steps)
	return 1 / (1 + math.Exp(-l))
}
