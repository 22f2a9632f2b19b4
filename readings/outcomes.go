package readings

import (
	"fmt"
	"math"
)

// Outcome holds the inputs of an outcomes signal's reading (design §11): one measure's
// change over every pair of a scheme and period, and its gradient across deprivation.
type Outcome struct {
	Measure      string   `json:"measure"`
	Adverse      bool     `json:"adverse,omitempty"` // a fall is an improvement
	Pairs        int64    `json:"pairs"`             // people with a baseline and a follow-up
	BaselineMean *float64 `json:"baseline_mean,omitempty"`
	MeanChange   *float64 `json:"mean_change,omitempty"`
	Lower        *float64 `json:"mean_change_lower,omitempty"`
	Upper        *float64 `json:"mean_change_upper,omitempty"`
	Verdict      string   `json:"verdict,omitempty"` // of the gradient across quintiles
	SII          *float64 `json:"sii,omitempty"`
	SIILower     *float64 `json:"sii_lower,omitempty"`
	SIIUpper     *float64 `json:"sii_upper,omitempty"`
}

// outcomeNames name the measures in a reading.
var outcomeNames = map[string]string{
	"swemwbs": "SWEMWBS (metric score)", "wemwbs": "WEMWBS", "ucla3": "loneliness (UCLA-3)",
	"ons4_satisfied": "life satisfaction (ONS)", "ons4_worthwhile": "feeling that life is worthwhile (ONS)",
	"ons4_happy": "happiness (ONS)", "ons4_anxious": "anxiety (ONS)",
}

const outcomeCaveat = " Before and after with no comparison group: change can reflect time, regression to the mean " +
	"and who completed a follow-up as much as social prescribing."

func (o *Outcome) reading(signal string, w Writer) string {
	name := outcomeNames[o.Measure]
	if name == "" {
		name = o.Measure
	}
	if !w.readable(o.Pairs) || o.MeanChange == nil {
		return fmt.Sprintf("Change in %s cannot be read: it rests on %s of assessments before and after.", name, w.n(o.Pairs, "pair"))
	}
	if signal == "outcome_gradient_"+o.Measure {
		return o.gradient(name, w)
	}
	dir := "rose"
	if *o.MeanChange < 0 {
		dir = "fell"
	}
	better := "an improvement"
	if (*o.MeanChange < 0) != o.Adverse {
		better = "a worsening"
	}
	s := fmt.Sprintf("Over %s of assessments before and after, %s %s by %s on average (95%% CI %s to %s) from a baseline "+
		"mean of %s: %s", w.n(o.Pairs, "pair"), name, dir, stat(math.Abs(*o.MeanChange)), stat(val(o.Lower)), stat(val(o.Upper)),
		stat(val(o.BaselineMean)), better)
	if val(o.Lower) <= 0 && val(o.Upper) >= 0 {
		s += ", though the interval includes no change"
	}
	if o.Pairs < 30 {
		s += "; fewer than 30 pairs, so read it with care"
	}
	return s + "." + outcomeCaveat
}

func (o *Outcome) gradient(name string, w Writer) string {
	switch o.Verdict {
	case "larger_gain_in_more_deprived", "smaller_gain_in_more_deprived", "no_clear_gradient":
	default:
		return fmt.Sprintf("The gradient of change in %s across deprivation is not judged: fewer than 3 quintiles had 2 or more pairs.", name)
	}
	what := map[string]string{
		"larger_gain_in_more_deprived":  "gains were larger in the more deprived quintiles",
		"smaller_gain_in_more_deprived": "gains were smaller in the more deprived quintiles",
		"no_clear_gradient":             "the interval includes no gradient",
	}[o.Verdict]
	return fmt.Sprintf("Across deprivation quintiles, %s: slope index of inequality of mean change in %s %s (95%% CI %s to %s; "+
		"below zero, change higher among the more deprived).%s", what, name, stat(val(o.SII)), stat(val(o.SIILower)), stat(val(o.SIIUpper)),
		outcomeCaveat)
}
