package reports

import (
	"strings"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/readings"
	"github.com/socrx/socrx/stats"
)

// Tables carry the marts' codes (CSV readers join on them); a page shows words. inWords is
// the one place a code becomes what a reader sees, by the column it is in.

// codeColumns are the text columns whose values are codes, with their words; a code with
// no entry reads with its underscores as spaces.
var codeColumns = map[string]map[string]string{
	"measure": measureWords,
	"verdict": {
		stats.VerdictRedistributive:    "redistributive: higher where need is higher",
		stats.VerdictNonRedistributive: "non-redistributive: lower where need is higher",
		stats.VerdictNoClearGradient:   "no clear gradient",
		stats.VerdictInsufficientData:  "not judged: too little data",
		stats.VerdictNotApplicable:     "not applicable",
	},
	"source":          nil, // readings.SourceLabel
	"referral_source": nil,
	"index":           {"upc": "UPC", "coc": "COC", "secon": "SECON"},
	"dimension": {"all": "all", "imd_quintile": "deprivation (IMD quintile)", "age_band": "age band", "ethnic_group": "ethnic group",
		"continuity": "continuity of link working", "ended_at_cap": "ended at the session cap"},
	"reason":  nil,
	"kind":    {"gp_events": "GP events", "gp_patients": "GP registered list"},
	"setting": {"general_practice": "general practice", "link_workers": "link workers", "vcs": "voluntary and community sector"},
	"axis":    nil,
	// the GP record's code systems (codes in no codelist)
	"code_system": {"snomed": "SNOMED CT", "snomed_ct": "SNOMED CT", "ctv3": "CTV3", "read2": "Read v2", "read_v2": "Read v2", "emis": "EMIS local code"},
}

// measureWords name the pathway and outcome measures.
var measureWords = func() map[string]string {
	m := map[string]string{"reach": "reach", "contacted": "contacted", "engaged": "engaged", "vcs_uptake": "VCS uptake",
		"dna": "did not attend", "outcome_baselined": "baselined (wellbeing measured)", "outcome_followed_up": "followed up (measured again)",
		"referral_rate": "referral rate", "gp_referral_rate": "GP-coded referrals per 1,000 registered", "gp_declined": "GP-coded referrals declined",
		"gp_coding_completeness": "coding completeness", "gp_lost_between_sectors": "lost between sectors"}
	for k, v := range outcomeMeasureNames {
		m[k] = v
	}
	return m
}()

// inWords is a code of column col as a reader sees it; other text as it is.
func inWords(col, code string) string {
	m, ok := codeColumns[col]
	switch {
	case !ok:
		return code
	case col == "source" || col == "referral_source":
		return readings.SourceLabel(code)
	}
	if w, ok := m[code]; ok {
		return w
	}
	return strings.ReplaceAll(code, "_", " ")
}

// cellIn is a table cell as the page shows it: text in words for its column.
func cellIn(col Column, c *disclosure.Cell) string {
	if c != nil && c.Kind == disclosure.KindText {
		return visible(inWords(col.Name, c.Text))
	}
	return display(c)
}
