package continuity

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/socrx/socrx/transforms/internal/published"
)

// Readings: the plain-English text of each link-worker and general-practice signal,
// which quotes the numbers it rests on and says what they cannot show (design §8
// archetype_signals.reading).

// roundedCount writes a count of people or events the way reports may publish it (1–7
// as "fewer than 8", otherwise rounded to 5): a reading is free text that disclosure
// control cannot reach into later. Practice counts are not about people and stay exact.
func roundedCount(n int64) string {
	r, ok := published.Count(n)
	switch {
	case !ok:
		return "fewer than 8"
	case r == 0:
		return "no"
	default:
		return "about " + withThousands(r)
	}
}

// minReadingBase is the smallest base a reading interprets; below it, it says so instead.
const minReadingBase = 8

func withThousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func pctText(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// pctOfText is an exact share, for counts that are not of people (practices).
func pctOfText(num, den int64) string {
	if den == 0 {
		return "–"
	}
	return pctText(float64(num) / float64(den))
}

// publishedPct is a share of people or events as reports may publish it (design §6):
// worked from the rounded counts, and withheld when either count would be suppressed.
// A reading is free text that disclosure control cannot reach into later.
func publishedPct(num, den int64, decimals int) string {
	n, nok := published.Count(num)
	d, dok := published.Count(den)
	if !nok || !dok || d == 0 {
		return "an undisclosed share"
	}
	return fmt.Sprintf("%.*f%%", decimals, 100*float64(n)/float64(d))
}

func cocReading(r continuityRow) string {
	if r.episodesN2 < minReadingBase || !r.meanCOC.Valid {
		return fmt.Sprintf("Continuity cannot be read: %s episodes had 2 or more contacts with a recorded link worker.",
			roundedCount(r.episodesN2))
	}
	s := fmt.Sprintf("Mean continuity of care (Bice–Boxerman COC) was %.2f (95%% CI %.2f–%.2f) over %s episodes "+
		"with 2 or more contacts with a recorded link worker (UPC %.2f, SECON %.2f; 1 = always the same worker, "+
		"0 = never the same worker twice).",
		r.meanCOC.Float64, r.cocLower.Float64, r.cocUpper.Float64, roundedCount(r.episodesN2),
		r.meanUPC.Float64, r.meanSECON.Float64)
	if r.noWorker > 0 {
		s += fmt.Sprintf(" %s of contacts had no worker recorded and are left out of the indices.", publishedPct(r.noWorker, r.contacts, 0))
	}
	return s + " It cannot show whether a change of worker was the person's choice, a planned hand-over or staff turnover."
}

func handoffReading(r continuityRow) string {
	if r.pairs < minReadingBase || !r.handoffRate.Valid {
		return fmt.Sprintf("Hand-offs cannot be read: %s pairs of consecutive contacts had a recorded link worker.", roundedCount(r.pairs))
	}
	return fmt.Sprintf("%s of consecutive contacts with a recorded link worker changed worker (%s hand-offs in %s pairs of contacts). "+
		"Pairs within one episode are not independent, so no interval is given. "+
		"It cannot show whether a hand-off was planned (for example to a specialist worker) or a break in the relationship.",
		publishedPct(r.handoffs, r.pairs, 0), roundedCount(r.handoffs), roundedCount(r.pairs))
}

// capNote says where k came from when it was not configured: a mode is the highest bar
// by construction, so its ratio leans upwards.
func capNote(r continuityRow) string {
	if r.capSource.String == "configured" {
		return ""
	}
	return fmt.Sprintf(" No cap is configured: %d is the most common count among closed episodes with 3 or more contacts, "+
		"which biases the ratio upwards.", r.cap.Int64)
}

func heapingEvidence(r continuityRow) string {
	k := r.cap.Int64
	s := fmt.Sprintf("%s of closed episodes with a contact ended at exactly %d contacts vs %s at %d and %s at %d",
		publishedPct(r.atCap, r.closedContacted, 0), k, publishedPct(r.belowCap, r.closedContacted, 0), k-1,
		publishedPct(r.nextAbove, r.closedContacted, 0), k+1)
	// the ratio quoted is worked from published counts, so it cannot reveal a small one
	at, aok := published.Count(r.atCap)
	below, bok := published.Count(r.belowCap)
	next, nok := published.Count(r.nextAbove)
	switch {
	case r.belowCap+r.nextAbove == 0:
		s += fmt.Sprintf(" (heaping ratio not defined: none ended at %d or %d", k-1, k+1)
	case !aok || !bok || !nok || below+next == 0:
		s += " (heaping ratio not published: small counts"
	default:
		s += fmt.Sprintf(" (heaping ratio %.1f", float64(at)/(float64(below+next)/2))
	}
	// one decimal: the detection threshold is 2% beyond the cap
	s += fmt.Sprintf("; %s went beyond %d; %s such episodes)", publishedPct(r.aboveCap, r.closedContacted, 1), k, roundedCount(r.closedContacted))
	return s
}

func heapingReading(r continuityRow) string {
	if !r.cap.Valid {
		return "Cap heaping cannot be read: no cap is configured and no closed episode had 3 or more contacts."
	}
	if r.closedContacted < minReadingBase {
		return fmt.Sprintf("Cap heaping cannot be read: %s closed episodes had a contact.", roundedCount(r.closedContacted))
	}
	what := fmt.Sprintf("Session counts around %d", r.cap.Int64)
	if r.capSource.String == "configured" {
		what = fmt.Sprintf("Session counts around the configured cap of %d", r.cap.Int64)
	}
	return fmt.Sprintf("%s: %s. A ratio of 2 or more with under 2%% beyond the cap is the signature of a fixed session cap.%s "+
		"It cannot show whether a cap was a service rule or patient choice.", what, heapingEvidence(r), capNote(r))
}

func heapingDetectedReading(r continuityRow) string {
	if !r.heapingDetected.Valid || r.closedContacted < minReadingBase {
		return heapingReading(r)
	}
	if r.heapingDetected.Bool {
		return fmt.Sprintf("Contacts clustered at %d sessions: %s — the signature of a fixed session cap.%s "+
			"It cannot show whether the cap was a service rule or patient choice.", r.cap.Int64, heapingEvidence(r), capNote(r))
	}
	return fmt.Sprintf("No fixed session cap is evident at %d sessions: %s.%s It cannot rule out a cap applied flexibly "+
		"or at another count.", r.cap.Int64, heapingEvidence(r), capNote(r))
}

func firstContactReading(r continuityRow, dataEnd string) string {
	if r.kmReferrals < minReadingBase {
		return fmt.Sprintf("Time to first contact cannot be read: %s referrals.", roundedCount(r.kmReferrals))
	}
	method := fmt.Sprintf("(Kaplan–Meier over %s referrals; those closed without contact are censored at closure, "+
		"those still open at data_end %s)", roundedCount(r.kmReferrals), dataEnd)
	if !r.medianDays.Valid {
		return fmt.Sprintf("Fewer than half of referrals had a first link-worker contact by the end of follow-up, so the median "+
			"time is not estimable %s. It cannot show why contact was delayed or did not happen.", method)
	}
	s := fmt.Sprintf("Half of referrals had a first link-worker contact within %d days", r.medianDays.Int64)
	if r.p90Days.Valid {
		s += fmt.Sprintf(" and 90%% within %d days", r.p90Days.Int64)
	} else {
		s += "; fewer than 90% were contacted by the end of follow-up, so the 90th percentile is not estimable"
	}
	return s + " " + method + ". It cannot show whether delays came from capacity, from failed attempts to reach people, " +
		"or from people choosing to wait."
}

func reReferralReading(r continuityRow) string {
	if r.reRef90Eligible < minReadingBase || !r.reRef90.Valid {
		return fmt.Sprintf("Re-referral cannot be read: %s episodes ended at least 90 days before data_end.", roundedCount(r.reRef90Eligible))
	}
	return fmt.Sprintf("%s of episodes with 90 days of follow-up after they ended were followed by a new referral of the same "+
		"person to the same scheme within 90 days (%s of %s episodes). Quick re-referral can mean needs were not met, "+
		"or a planned return; the records cannot tell which.",
		publishedPct(r.reRef90Events, r.reRef90Eligible, 0), roundedCount(r.reRef90Events), roundedCount(r.reRef90Eligible))
}

func retentionReading(r continuityRow) string {
	if r.retentionEligible < minReadingBase || !r.retention.Valid {
		return fmt.Sprintf("Same-worker retention cannot be read: %s re-referrals within a year had a recorded worker on both sides.",
			roundedCount(r.retentionEligible))
	}
	return fmt.Sprintf("When people were re-referred within a year, %s first saw the link worker they had last seen before "+
		"(%s re-referrals with a recorded worker on both sides). It cannot show whether the person asked for that worker "+
		"or whether the worker was still in post.", publishedPct(r.retained, r.retentionEligible, 0), roundedCount(r.retentionEligible))
}

// referralSourceLabel names a referral source for a reading.
func referralSourceLabel(source string) string {
	switch source {
	case "gp":
		return "GP"
	case "other_primary_care":
		return "other primary care"
	case "secondary_care":
		return "secondary care"
	case "social_care":
		return "social care"
	case "vcs":
		return "VCS"
	default:
		return source // nurse, self, other and unmapped codes read as they are
	}
}

func gpShareReading(mix []sourceN) (sql.NullFloat64, string) {
	var total, recorded, gp, missing int64
	for _, m := range mix {
		total += m.n
		if m.source == "not_recorded" {
			missing = m.n
			continue
		}
		recorded += m.n
		if m.source == "gp" {
			gp = m.n
		}
	}
	if recorded < minReadingBase {
		return sql.NullFloat64{}, fmt.Sprintf("The referral-source mix cannot be read: %s referrals had a recorded source.", roundedCount(recorded))
	}
	var parts []string
	for _, m := range mix {
		if m.source == "gp" || m.source == "not_recorded" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s", referralSourceLabel(m.source), publishedPct(m.n, recorded, 0)))
	}
	s := fmt.Sprintf("%s of referrals with a recorded source came from GPs", publishedPct(gp, recorded, 0))
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	s += fmt.Sprintf("; %s referrals in all", roundedCount(total))
	if missing > 0 {
		s += fmt.Sprintf(", %s with no source recorded", publishedPct(missing, total, 0))
	}
	return sql.NullFloat64{Float64: float64(gp) / float64(recorded), Valid: true},
		s + ". A high GP share suggests social needs are being picked up in consultations; it cannot show whether GPs kept " +
			"the social context in view after referring (feedback to the referrer is not recorded), nor what share of " +
			"other sources were prompted by the practice."
}

func practicesReading(k cell, referring, practices int64, basis string) string {
	when := "in " + k.period
	if k.period == "all" {
		when = "over the whole span"
	}
	s := fmt.Sprintf("%d of %d practices (%s) made at least one referral %s. ", referring, practices, pctOfText(referring, practices), when)
	switch basis {
	case "configured":
		s += "Denominator: the practices configured for the scheme."
	case "referred_any_period":
		s += "Denominator: the practices that referred to the scheme at any time in the data; no practice list is " +
			"configured, so practices that never referred are not counted and the share is biased upwards."
	default:
		s += "Denominator: every scheme's practices (its configured list, else the practices that ever referred to it)."
	}
	return s + " A practice that never refers may be holding social needs itself or not engaging with the scheme; " +
		"the records cannot tell which."
}

func funnelReading(measure string, window int, plotted, outliers int64, high, low string, baseline sql.NullFloat64) string {
	what := fmt.Sprintf("contacted proportion (first link-worker contact within %d days of referral)", window)
	avg := ""
	if baseline.Valid {
		avg = pctText(baseline.Float64)
	}
	if measure == "referral_rate" {
		what = "referral rate per 1,000 registered patients"
		if baseline.Valid {
			avg = fmt.Sprintf("%.1f per 1,000", baseline.Float64)
		}
	}
	if plotted == 0 {
		return fmt.Sprintf("No practice had a denominator for the %s, so there is no funnel plot.", what)
	}
	s := fmt.Sprintf("%d of %d practices had a %s outside the 99.8%% funnel limits around the scheme average of %s",
		outliers, plotted, what, avg)
	var who []string
	if high != "" {
		who = append(who, "high: "+high)
	}
	if low != "" {
		who = append(who, "low: "+low)
	}
	if len(who) > 0 {
		s += " (" + strings.Join(who, "; ") + ")"
	}
	return s + ". Funnel limits allow only for chance; variation can reflect list size, case mix and how referrals " +
		"are recorded as much as practice behaviour, and many practices are tested at once."
}
