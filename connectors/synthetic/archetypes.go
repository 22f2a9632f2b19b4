// Package synthetic writes realistic synthetic social prescribing extracts — referrals,
// attendances and registered population in the layouts of design §3 — for people living in
// real English LSOAs (IMD 2019), with known archetypes planted in each scheme so that the
// pipeline's indicators can be checked against the truth.
//
// Output is deterministic for a seed (byte-identical files) and streamed: memory holds one
// referral episode at a time plus small lookup tables, whatever the number of rows.
//
// Nothing in the pipeline may know the planted values: they are recorded in manifest.json
// and in Archetypes so that tests and readers can compare what the pipeline finds with
// what was planted, never so that the pipeline can look them up.
package synthetic

import (
	"fmt"
	"strings"
)

// Archetype is one scheme's planted behaviour. Odds ratios are per IMD quintile step
// toward MORE deprived (quintile 5 → 1): above 1 means uptake rises with need
// (redistributive), below 1 the inverse care law (non-redistributive), 1 no gradient.
type Archetype struct {
	ID    string `json:"id"`    // scheme_id in referrals.csv
	Name  string `json:"name"`  // scheme name, for config and reports
	Label string `json:"label"` // the framework reading it plants, e.g. "relational + redistributive"

	// Share of referrals going to the scheme (shares sum to 1).
	Share float64 `json:"share"`
	// GPShare is the share of referrals from GPs (referral_source = gp); the rest are
	// spread over nurses, other primary care, social care, self-referral and so on.
	GPShare float64 `json:"gp_share"`

	// ContactBase is P(≥ 1 link-worker contact) in IMD quintile 3.
	ContactBase float64 `json:"contact_base"`
	// ContactOddsRatioPerQuintile: odds of contact multiply by this per quintile step
	// toward more deprived.
	ContactOddsRatioPerQuintile float64 `json:"contact_odds_ratio_per_quintile"`
	// EngagedBase is P(≥ 3 contacts | contacted) in quintile 3, with its own odds ratio
	// per step (conditional on contact, so the referral-level gradient is steeper).
	EngagedBase                 float64 `json:"engaged_base"`
	EngagedOddsRatioPerQuintile float64 `json:"engaged_odds_ratio_per_quintile"`
	// VCSBase is P(≥ 1 attended VCS session | contacted) in quintile 3, with its odds ratio.
	VCSBase                 float64 `json:"vcs_base"`
	VCSOddsRatioPerQuintile float64 `json:"vcs_odds_ratio_per_quintile"`

	// Sessions (attended link-worker contacts) per engaged episode: 3 + a geometric
	// number with continuation probability ContinueProb; with a SessionCap, CapShare of
	// engaged episodes end exactly at the cap, the rest below it, and only AboveCapProb
	// go over it. Non-engaged contacted episodes have 1 or 2 contacts.
	SessionCap   int     `json:"session_cap"` // 0 = open-ended
	CapShare     float64 `json:"cap_share"`
	AboveCapProb float64 `json:"above_cap_prob"`
	ContinueProb float64 `json:"continue_prob"`
	MaxSessions  int     `json:"max_sessions"`

	// HandoffProb is the chance that a contact after the first moves the episode to a
	// different worker for good; CoverProb the chance that one contact is with a covering
	// worker before returning to the current one.
	HandoffProb float64 `json:"handoff_prob"`
	CoverProb   float64 `json:"cover_prob"`

	// MedianWaitDays is the median days from referral to the first attended link-worker
	// contact among contacted referrals (log-normal with WaitSigma, before moving a
	// weekend day to Monday).
	MedianWaitDays float64 `json:"median_wait_days"`
	WaitSigma      float64 `json:"wait_sigma"`
	// MedianGapDays is the median gap between booked link-worker sessions.
	MedianGapDays float64 `json:"median_gap_days"`
	GapSigma      float64 `json:"gap_sigma"`

	// ReReferralProb is the chance that a finished episode is followed by a new referral of
	// the same person (median ~100 days later); SameWorkerOnReReferral the chance the new
	// episode starts with the old episode's last worker.
	ReReferralProb         float64 `json:"re_referral_prob"`
	SameWorkerOnReReferral float64 `json:"same_worker_on_re_referral"`

	// Modes of link-worker sessions: face_to_face, telephone, video, home_visit weights.
	ModeWeights [4]float64 `json:"mode_weights"`
}

// Archetypes returns the planted schemes. The values are realistic rather than cartoonish:
// an odds ratio of 1.3 per quintile is a 1.3^4 ≈ 2.9-fold odds gap between the least and
// most deprived fifths, which ~1,500 referrals detect reliably.
func Archetypes() []Archetype {
	return []Archetype{
		{
			ID: "SP01", Name: "Community Connectors", Label: "relational + redistributive",
			Share: 1.0 / 3, GPShare: 0.78,
			ContactBase: 0.72, ContactOddsRatioPerQuintile: 1.3,
			EngagedBase: 0.80, EngagedOddsRatioPerQuintile: 1.15,
			VCSBase: 0.45, VCSOddsRatioPerQuintile: 1.15,
			ContinueProb: 0.85, MaxSessions: 40,
			HandoffProb: 0.03, CoverProb: 0.08,
			MedianWaitDays: 7, WaitSigma: 0.7,
			MedianGapDays: 14, GapSigma: 0.5,
			ReReferralProb: 0.09, SameWorkerOnReReferral: 0.7,
			ModeWeights: [4]float64{0.50, 0.30, 0.05, 0.15},
		},
		{
			ID: "SP02", Name: "Wellbeing Navigation Service", Label: "transactional + non-redistributive",
			Share: 1.0 / 3, GPShare: 0.55,
			ContactBase: 0.70, ContactOddsRatioPerQuintile: 1 / 1.3,
			EngagedBase: 0.72, EngagedOddsRatioPerQuintile: 1 / 1.15,
			VCSBase: 0.30, VCSOddsRatioPerQuintile: 1 / 1.15,
			SessionCap: 6, CapShare: 0.62, AboveCapProb: 0.006, ContinueProb: 0.55, MaxSessions: 8,
			HandoffProb: 0.40, CoverProb: 0,
			MedianWaitDays: 30, WaitSigma: 0.5,
			MedianGapDays: 7, GapSigma: 0.25,
			ReReferralProb: 0.16, SameWorkerOnReReferral: 0.15,
			ModeWeights: [4]float64{0.35, 0.55, 0.10, 0},
		},
		{
			ID: "SP03", Name: "Neighbourhood Link Service", Label: "mixed, no deprivation gradient",
			Share: 1.0 / 3, GPShare: 0.68,
			ContactBase: 0.68, ContactOddsRatioPerQuintile: 1,
			EngagedBase: 0.50, EngagedOddsRatioPerQuintile: 1,
			VCSBase: 0.35, VCSOddsRatioPerQuintile: 1,
			ContinueProb: 0.60, MaxSessions: 25,
			HandoffProb: 0.15, CoverProb: 0.08,
			MedianWaitDays: 14, WaitSigma: 0.6,
			MedianGapDays: 10, GapSigma: 0.5,
			ReReferralProb: 0.11, SameWorkerOnReReferral: 0.4,
			ModeWeights: [4]float64{0.45, 0.40, 0.08, 0.07},
		},
	}
}

// HelpText describes what the generator writes and plants, for `socrx generate --help`
// and the README.
func HelpText() string {
	var b strings.Builder
	b.WriteString(`Synthetic extracts for a synthetic ICB: people live in real English LSOAs
(IMD 2019) of Coventry, Warwick and Rugby, registered at ~46 invented practices
(codes M86901…, M84901…) grouped into PCNs; each PCN belongs to one scheme.

Files (dates %d/%m/%Y):
  referrals.csv       one row per referral episode (design §3.1)
  attendances.csv     link-worker sessions and VCS sessions (design §3.2)
  population.csv      NHS England practice × LSOA registrations, two extract dates
  manifest.json       what was planted: scheme parameters, row and fault counts
  attendances_us.csv  (messy mode only) dates in US order: must be refused whole
  outcomes.csv        (--outcomes) wellbeing assessments (design §3.5)
  gp_patients.csv     (--gp) the practices' registered list (design §3.7)
  gp_events.csv       (--gp) coded SP events in SNOMED CT (design §3.6)

Planted schemes (odds ratios per IMD quintile step toward more deprived):
`)
	for _, a := range Archetypes() {
		fmt.Fprintf(&b, "  %s %q — %s\n", a.ID, a.Name, a.Label)
		sessions := "open-ended sessions"
		if a.SessionCap > 0 {
			sessions = fmt.Sprintf("sessions capped at %d (%.0f%% of engaged episodes end at it, %.1f%% go over)",
				a.SessionCap, 100*a.CapShare, 100*a.AboveCapProb)
		}
		fmt.Fprintf(&b, "      contact OR %.2f (P=%.2f in Q3); engaged OR %.2f, VCS uptake OR %.2f given contact\n",
			a.ContactOddsRatioPerQuintile, a.ContactBase, a.EngagedOddsRatioPerQuintile, a.VCSOddsRatioPerQuintile)
		fmt.Fprintf(&b, "      %s; median wait %.0f days; GP share %.0f%%\n", sessions, a.MedianWaitDays, 100*a.GPShare)
		fmt.Fprintf(&b, "      each contact: hand-off %.0f%%, one-off cover %.0f%%\n", 100*a.HandoffProb, 100*a.CoverProb)
	}
	b.WriteString(`
Everywhere: ~12% of booked link-worker sessions are DNAs (16% in the most deprived
fifth, 8% in the least), ~2% of contacts lack a worker_id, ~1% are same-day duplicates
(a second row, new attendance_id), ~8% of episodes are followed by a re-referral, ~1% of
referrals lack an LSOA and 0.2% carry a Welsh one.

Messy mode (--messy RATE): after each clean row, with probability RATE, one extra faulty
row of one kind, named as the ingest's quarantine reason: bad_date, future_date,
duplicate_id (an exact repeat), unknown_code, missing_value, and for attendances also
orphan_attendance and before_referral. Clean rows are identical to those of a run
without faults, so every clean row should load and every faulty one be quarantined.
Future dates lie after manifest.json's future_after (5 years past the data): use a run
date between the data's end and that. attendances_us.csv matches attendances*.csv: give
it a source of its own, or it fails the run it is loaded with.
`)
	gp := plantedGP()
	fmt.Fprintf(&b, `
GP records (--gp), linked to the platform by person_id: every person the platform
sees is registered at their practice, with the people of GP-only referrals and %.0f
never-referred registered people per such person, spread as the population file.
A GP-sourced platform referral is coded %s within ±%d days with probability
%.1f, but %.1f at one under-coding practice per scheme (manifest.json gp); a decline
%s follows within 60 days with probability %.2f in the most deprived
quintile down to %.2f in the least; %.0f%% of GP-coded referrals never reach the platform.
Codes %s, %s and %s are in no default codelist.
`, gp.ExtraRegisteredPerPerson, gp.ReferralCode, gp.CodeWindowDays, gp.CodedProb, gp.UnderCodedProb,
		gp.DeclinedCode, gp.DeclineByQuintile[0], gp.DeclineByQuintile[4], 100*gp.NeverOnPlatformShare,
		gp.UnlistedCodes[0].Code, gp.UnlistedCodes[1].Code, gp.UnlistedCodes[2].Code)
	return b.String()
}
