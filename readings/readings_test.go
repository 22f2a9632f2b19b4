package readings

import (
	"strings"
	"testing"

	"github.com/socrx/socrx/disclosure"
)

func ptr[T any](v T) *T { return &v }

var (
	published = Writer{Policy: disclosure.Default()}
	raised    = Writer{Policy: disclosure.Policy{Threshold: 10, Rounding: 10}}
)

// capCase is the CAP scheme of the continuity tests: 28 closed episodes with a contact,
// 21 ending at the configured cap of 6, 3 at 5, none at 7 or beyond.
var capCase = Continuity{Cap: ptr(int64(6)), CapSource: "configured", ClosedContacted: 28, AtCap: 21, BelowCap: 3,
	HeapingDetected: ptr(true)}

func TestCompose(t *testing.T) {
	coc := Continuity{EpisodesN2: 123, MeanCOC: ptr(0.61), COCLower: ptr(0.55), COCUpper: ptr(0.67), MeanUPC: ptr(0.7),
		MeanSECON: ptr(0.5), NoWorker: 12, Contacts: 480}
	equity := Equity{Measure: "contacted", WindowDays: 90, Verdict: "redistributive",
		Most: &Stratum{Numerator: 160, Denominator: 200}, Least: &Stratum{Numerator: 80, Denominator: 200},
		SII: ptr(-0.42), SIILower: ptr(-0.5), SIIUpper: ptr(-0.33), Excluded: 3}
	for _, tc := range []struct {
		name, signal string
		in           Inputs
		w            Writer
		want, not    []string
	}{
		{"coc exact", "mean_coc", Inputs{Continuity: &coc}, Exact(),
			[]string{"was 0.61 (95% CI 0.55–0.67) over 123 episodes", "UPC 0.70, SECON 0.50"}, []string{"about"}},
		{"coc published", "mean_coc", Inputs{Continuity: &coc}, published,
			// 12 of 480 → 10 of 480: 2%
			[]string{"over about 125 episodes", "2% of contacts had no worker recorded"}, nil},
		{"coc raised", "mean_coc", Inputs{Continuity: &coc}, raised,
			[]string{"over about 120 episodes", "An undisclosed share of contacts"}, nil},
		{"coc base suppressed", "mean_coc", Inputs{Continuity: &Continuity{EpisodesN2: 12, MeanCOC: ptr(0.5)}}, raised,
			[]string{"Continuity cannot be read: a few episodes had 2 or more"}, []string{"12", "10 "}},
		{"coc withheld by secondary suppression", "mean_coc", Inputs{Continuity: &coc},
			Writer{Policy: disclosure.Default(), Withheld: map[int64]bool{125: true}},
			[]string{"cannot be read: an undisclosed number of episodes"}, []string{"125"}},
		// shares and the ratio from published counts: 21 of 28 → 20 of 30; 3 at 5 is suppressed
		{"heaping published", "cap_heaping_detected", Inputs{Continuity: &capCase}, published,
			[]string{"Contacts clustered at 6 sessions", "67% of closed episodes with a contact ended at exactly 6",
				"an undisclosed share at 5", "0% at 7", "heaping ratio not published: small counts", "0.0% went beyond 6",
				"about 30 such episodes", "the signature of a fixed session cap. It cannot"}, []string{"28", "21"}},
		{"heaping exact", "cap_heaping_ratio", Inputs{Continuity: &capCase}, Exact(),
			[]string{"75% of closed episodes", "11% at 5", "heaping ratio 14.0", "28 such episodes"}, nil},
		{"equity published", "sii_contacted", Inputs{Equity: &equity}, published,
			[]string{"Contact with a link worker within 90 days rose with deprivation", "80% in the most deprived fifth vs 40% in the least",
				"SII \u22120.42 (95% CI \u22120.50 to \u22120.33)", "A few referrals without a usable LSOA were left out", "not a verdict"}, nil},
		{"equity exact", "sii_contacted", Inputs{Equity: &equity}, Exact(),
			[]string{"3 referrals without a usable LSOA were left out"}, nil},
		{"equity ends hidden", "sii_contacted", Inputs{Equity: &Equity{Measure: "reach", Verdict: "insufficient_data", Reason: "quintile 2 has numerator 0",
			Most: &Stratum{Numerator: 4, Denominator: 900}, Least: &Stratum{Numerator: 30, Denominator: 1000}}}, published,
			[]string{"Reach (people referred per 1,000 registered patients): too few people in the most or least deprived fifth",
				"Not judged: quintile 2 has numerator 0."}, nil},
		{"sources", "gp_referral_share", Inputs{Sources: &Sources{Mix: []SourceCount{{"gp", 50}, {"self", 25}, {"nurse", 25}, {"not_recorded", 3}}}}, published,
			[]string{"50% of referrals with a recorded source came from GPs (self-referral 25%; nurse 25%); about 105 referrals in all, an undisclosed share with no source recorded"}, nil},
		{"sources, small ones named once", "gp_referral_share", Inputs{Sources: &Sources{Mix: []SourceCount{{"gp", 80}, {"self", 20},
			{"vcs", 3}, {"social_care", 2}, {"other_primary_care", 1}}}}, published,
			[]string{"came from GPs (self-referral 19%; too few to publish from VCS, social care and other primary care)"}, []string{"undisclosed"}},
		{"practices", "share_practices_referring", Inputs{Practices: &Practices{Period: "2024-Q1", Referring: 2, Practices: 3, Basis: "configured"}}, raised,
			[]string{"2 of 3 practices (67%) made at least one referral in 2024-Q1", "configured for the scheme"}, nil},
		{"funnel", "funnel_outliers_contacted", Inputs{Funnel: &Funnel{Measure: "contacted", WindowDays: 90, Judged: 4, Outliers: 2,
			Hidden: 1, High: []string{"P2"}, Low: []string{"P1"}, Average: ptr(0.5)}}, published,
			[]string{"2 of 4 practices had a contacted proportion (first link-worker contact within 90 days of referral)",
				"average of 50.0% (high: P2; low: P1); 1 more with counts too small"}, nil},
		{"outcome change", "outcome_change_swemwbs", Inputs{Outcome: &Outcome{Measure: "swemwbs", Pairs: 123, BaselineMean: ptr(18.2),
			MeanChange: ptr(2.4), Lower: ptr(1.9), Upper: ptr(2.9)}}, published,
			[]string{"Over about 125 pairs of assessments before and after, SWEMWBS (metric score) rose by 2.40 on average (95% CI 1.90 to 2.90) from a baseline mean of 18.20: an improvement.",
				"no comparison group"}, []string{"123", "with care"}},
		{"outcome change, adverse, few pairs", "outcome_change_ons4_anxious", Inputs{Outcome: &Outcome{Measure: "ons4_anxious", Adverse: true,
			Pairs: 20, BaselineMean: ptr(6.1), MeanChange: ptr(-0.9), Lower: ptr(-1.6), Upper: ptr(0.2)}}, published,
			[]string{"anxiety (ONS) fell by 0.90", "an improvement, though the interval includes no change; fewer than 30 pairs"}, nil},
		{"outcome change, suppressed", "outcome_change_ucla3", Inputs{Outcome: &Outcome{Measure: "ucla3", Adverse: true, Pairs: 9,
			MeanChange: ptr(-1.0)}}, raised, []string{"Change in loneliness (UCLA-3) cannot be read: it rests on a few pairs"}, []string{"9"}},
		{"outcome gradient", "outcome_gradient_swemwbs", Inputs{Outcome: &Outcome{Measure: "swemwbs", Pairs: 600, MeanChange: ptr(2.0),
			Verdict: "larger_gain_in_more_deprived", SII: ptr(-3.05), SIILower: ptr(-3.6), SIIUpper: ptr(-2.5)}}, published,
			[]string{"gains were larger in the more deprived quintiles: slope index of inequality of mean change in SWEMWBS (metric score) \u22123.05"}, nil},
		// 43 of 61 publish as 45 of 60: 75%, Wilson 95% 62.8% to 84.2% from those counts
		{"coding completeness published", "gp_coding_completeness", Inputs{Linkage: &Linkage{Measure: "gp_coding_completeness",
			Numerator: 43, Denominator: 61, Immature: 6}}, published,
			[]string{"The GP record held a social prescribing referral code within 30 days either side of 75% of about 60 referrals from general practice on the platform (95% CI 63% to 84%).",
				"A few more referrals whose window is still open are not counted yet.", "cannot show that the GP did not know"},
			[]string{"43", "61", " 6 "}},
		{"coding completeness exact", "gp_coding_completeness", Inputs{Linkage: &Linkage{Measure: "gp_coding_completeness",
			Numerator: 43, Denominator: 61, Immature: 1}}, Exact(),
			[]string{"of 70% of 61 referrals from general practice", "1 more referral whose window is still open is not counted yet."}, nil},
		{"lost between sectors, too few", "gp_lost_between_sectors", Inputs{Linkage: &Linkage{Measure: "gp_lost_between_sectors",
			Numerator: 2, Denominator: 5}}, published,
			[]string{"Not judged: a few GP-coded referrals whose window has closed, too few to read.", "not a proven one"}, []string{"5", "2"}},
		{"lost between sectors", "gp_lost_between_sectors", Inputs{Linkage: &Linkage{Measure: "gp_lost_between_sectors",
			Numerator: 30, Denominator: 200}}, published,
			[]string{"15% of about 200 GP-coded referrals did not reach the platform within 60 days (95% CI 11% to 21%)."}, nil},
		{"gp reach gradient", "sii_gp_referral_rate", Inputs{Equity: &Equity{Measure: "gp_referral_rate", Verdict: "redistributive",
			Most: &Stratum{Numerator: 120, Denominator: 10000}, Least: &Stratum{Numerator: 60, Denominator: 10000},
			SII: ptr(-7.5), SIILower: ptr(-9.0), SIIUpper: ptr(-6.0), Excluded: 4}}, published,
			[]string{"GP-coded referrals to social prescribing per 1,000 registered patients rose with deprivation: 12.0 per 1,000 in the most deprived fifth vs 6.0 per 1,000 in the least",
				"Coded referral is higher where need is higher", "A few GP-coded referrals without a usable LSOA were left out",
				"Coding habits differ between practices"}, nil},
		{"gp funnel", "funnel_outliers_gp_coding_completeness", Inputs{Funnel: &Funnel{Measure: "gp_coding_completeness", Judged: 10,
			Outliers: 1, Low: []string{"P9"}, Average: ptr(0.85)}}, published,
			[]string{"1 of 10 practices had a coding completeness", "around the scheme average of 85.0% (low: P9)"}, nil},
		{"unknown inputs", "mean_coc", Inputs{}, published, nil, []string{"."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Compose(tc.signal, tc.in, tc.w)
			for _, s := range tc.want {
				if !strings.Contains(got, s) {
					t.Errorf("reading lacks %q:\n%s", s, got)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(got, s) {
					t.Errorf("reading has %q:\n%s", s, got)
				}
			}
		})
	}
}

func TestInputsRoundTrip(t *testing.T) {
	in := Inputs{Continuity: &capCase}
	js, err := in.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(js)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := Compose("cap_heaping_detected", in, published), Compose("cap_heaping_detected", back, published); a != b {
		t.Errorf("round trip changed the reading:\n%s\n%s", a, b)
	}
	if _, err := Parse("{not json"); err == nil {
		t.Error("bad inputs parsed")
	}
}
