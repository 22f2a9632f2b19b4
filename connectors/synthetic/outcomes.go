package synthetic

import (
	"math"
	"strconv"
)

// Wellbeing assessments (Options.Outcomes, design §3.5), drawn from their own stream.
// Each contacted episode may have a SWEMWBS and an ONS anxiety score at its first
// link-worker contact and again when it ends (at least 45 days on, within two weeks of the
// last contact, as platforms ask at closure). Planted truths:
//   - the follow-up is missed more often in the more deprived quintiles
//     (FollowUpByQuintile), so attrition tracks deprivation;
//   - SWEMWBS gains are larger in the more deprived quintiles (SWEMWBSGainByQuintile, raw
//     points), and larger again when every contact was with one link worker
//     (SingleWorkerExtra);
//   - anxiety falls by about a point on average (an improvement).
//
// The schemes record them differently, as platforms do: the first with stages and
// referral ids, the second with referral ids only, the others with neither (matched by
// date at transform time).

const outcomeHeader = "assessment_id,person_id,measure,score,assessed_on,referral_id,stage\n"

// OutcomesManifest records the planted outcome truths.
type OutcomesManifest struct {
	BaselineProb float64 `json:"baseline_prob"`
	// by IMD quintile, most deprived first
	FollowUpByQuintile    [5]float64 `json:"follow_up_by_quintile"`
	SWEMWBSGainByQuintile [5]float64 `json:"swemwbs_gain_by_quintile"`
	SingleWorkerExtra     float64    `json:"single_worker_extra"`
	AnxietyChange         float64    `json:"anxiety_change"`
}

// plantedOutcomes are the truths Options.Outcomes plants.
func plantedOutcomes() OutcomesManifest {
	return OutcomesManifest{
		BaselineProb:          0.8,
		FollowUpByQuintile:    [5]float64{0.45, 0.52, 0.60, 0.67, 0.75},
		SWEMWBSGainByQuintile: [5]float64{4.0, 3.2, 2.4, 1.6, 0.8},
		SingleWorkerExtra:     2.0,
		AnxietyChange:         -1.0,
	}
}

// writeOutcomes writes an episode's assessments. q is its quintile (1 = most deprived, 0
// when unknown: the middle quintile's truths), first and last the days of its first and
// last link-worker contacts.
func (g *generator) writeOutcomes(rec *refRec, scheme, q, first, last int) {
	r, m := g.or, plantedOutcomes()
	if !r.bernoulli(m.BaselineProb) {
		return
	}
	i := 2
	if q >= 1 && q <= 5 {
		i = q - 1
	}
	follow := max(first+45, last) + r.intn(14)
	followed := follow <= g.last && r.bernoulli(m.FollowUpByQuintile[i])
	gain := m.SWEMWBSGainByQuintile[i]
	if g.singleWorker() {
		gain += m.SingleWorkerExtra
	}
	base := clampRound(19+4*r.norm(), 7, 35)
	g.assessment(rec, scheme, "swemwbs", base, first, "baseline")
	if followed {
		g.assessment(rec, scheme, "swemwbs", clampRound(float64(base)+gain+3*r.norm(), 7, 35), follow, "follow_up")
	}
	anx := clampRound(6+2*r.norm(), 0, 10)
	g.assessment(rec, scheme, "ons4_anxious", anx, first, "baseline")
	if followed {
		g.assessment(rec, scheme, "ons4_anxious", clampRound(float64(anx)+m.AnxietyChange+2*r.norm(), 0, 10), follow, "follow_up")
	}
}

// singleWorker says whether the episode's attended link-worker sessions so far were all
// with one worker, three or more of them.
func (g *generator) singleWorker() bool {
	var n int
	w := int32(-1)
	for _, s := range g.sess {
		if s.vcs || s.status != stAttended || s.worker < 0 {
			continue
		}
		if w >= 0 && s.worker != w {
			return false
		}
		w = s.worker
		n++
	}
	return n >= 3
}

func (g *generator) assessment(rec *refRec, scheme int, measure string, score, day int, stage string) {
	g.nextAssessment++
	b := g.outRow[:0]
	b = append(b, 'O')
	b = appendPadded(b, g.nextAssessment, g.refWidth+1)
	b = append(b, ",P"...)
	b = appendPadded(b, rec.person, g.refWidth)
	b = append(b, ',')
	b = append(b, measure...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(score), 10)
	b = append(b, ',')
	b = g.dates.appendUK(b, day)
	b = append(b, ',')
	if scheme < 2 {
		b = append(b, 'R')
		b = appendPadded(b, rec.id, g.refWidth)
	}
	b = append(b, ',')
	if scheme == 0 {
		b = append(b, stage...)
	}
	b = append(b, '\n')
	g.outW.Write(b)
	g.outRow = b
	g.outcomeRows++
}

func clampRound(v float64, lo, hi int) int { return min(hi, max(lo, int(math.Round(v)))) }
