package readings

import "fmt"

// Continuity holds the inputs of the link-worker signals' readings (design §5): one
// continuity_summary row. Counts are of people, episodes or contacts.
type Continuity struct {
	EpisodesN2 int64    `json:"episodes_n2"` // episodes with 2+ contacts with a recorded worker
	MeanCOC    *float64 `json:"mean_coc,omitempty"`
	COCLower   *float64 `json:"coc_lower,omitempty"`
	COCUpper   *float64 `json:"coc_upper,omitempty"`
	MeanUPC    *float64 `json:"mean_upc,omitempty"`
	MeanSECON  *float64 `json:"mean_secon,omitempty"`
	NoWorker   int64    `json:"contacts_no_worker"`
	Contacts   int64    `json:"contacts"`

	HandoffRate *float64 `json:"handoff_rate,omitempty"`
	Handoffs    int64    `json:"handoffs"`
	Pairs       int64    `json:"pairs"`

	Cap             *int64 `json:"cap,omitempty"`        // sessions, not people
	CapSource       string `json:"cap_source,omitempty"` // configured or mode
	ClosedContacted int64  `json:"closed_contacted"`
	AtCap           int64  `json:"at_cap"`
	BelowCap        int64  `json:"at_cap_minus_1"`
	NextAbove       int64  `json:"at_cap_plus_1"`
	AboveCap        int64  `json:"above_cap"`
	HeapingDetected *bool  `json:"heaping_detected,omitempty"`

	KMReferrals int64  `json:"km_referrals"`
	MedianDays  *int64 `json:"median_days,omitempty"`
	P90Days     *int64 `json:"p90_days,omitempty"`
	DataEnd     string `json:"data_end"`

	ReReferral90         *float64 `json:"re_referral_rate_90d,omitempty"`
	ReReferral90Eligible int64    `json:"re_referral_90d_eligible"`
	ReReferral90Events   int64    `json:"re_referrals_90d"`

	Retention         *float64 `json:"same_worker_retention,omitempty"`
	RetentionEligible int64    `json:"retention_eligible"`
	Retained          int64    `json:"retained"`
}

func (r *Continuity) reading(signal string, w Writer) string {
	switch signal {
	case "mean_coc":
		return r.coc(w)
	case "handoff_rate":
		return r.handoff(w)
	case "cap_heaping_ratio":
		return r.heaping(w)
	case "cap_heaping_detected":
		return r.heapingDetected(w)
	case "median_days_to_first_contact":
		return r.firstContact(w)
	case "re_referral_rate_90d":
		return r.reReferral(w)
	case "same_worker_retention":
		return r.retention(w)
	}
	return ""
}

func (r *Continuity) coc(w Writer) string {
	if !w.readable(r.EpisodesN2) || r.MeanCOC == nil {
		return fmt.Sprintf("Continuity cannot be read: %s had 2 or more contacts with a recorded link worker.",
			w.n(r.EpisodesN2, "episode"))
	}
	s := fmt.Sprintf("Mean continuity of care (Bice–Boxerman COC) was %.2f (95%% CI %.2f–%.2f) over %s "+
		"with 2 or more contacts with a recorded link worker (UPC %.2f, SECON %.2f; 1 = always the same worker, "+
		"0 = never the same worker twice).",
		*r.MeanCOC, val(r.COCLower), val(r.COCUpper), w.n(r.EpisodesN2, "episode"), val(r.MeanUPC), val(r.MeanSECON))
	if r.NoWorker > 0 {
		s += fmt.Sprintf(" %s of contacts had no worker recorded and are left out of the indices.", capital(w.share(r.NoWorker, r.Contacts, 0)))
	}
	return s + " It cannot show whether a change of worker was the person's choice, a planned hand-over or staff turnover."
}

func (r *Continuity) handoff(w Writer) string {
	if !w.readable(r.Pairs) || r.HandoffRate == nil {
		return fmt.Sprintf("Hand-offs cannot be read: %s of consecutive contacts had a recorded link worker.", w.n(r.Pairs, "pair"))
	}
	return fmt.Sprintf("%s of consecutive contacts with a recorded link worker changed worker (%s in %s of contacts). "+
		"Pairs within one episode are not independent, so no interval is given. "+
		"It cannot show whether a hand-off was planned (for example to a specialist worker) or a break in the relationship.",
		capital(w.share(r.Handoffs, r.Pairs, 0)), w.n(r.Handoffs, "hand-off"), w.n(r.Pairs, "pair"))
}

// capNote says where k came from when it was not configured: a mode is the highest bar
// by construction, so its ratio leans upwards.
func (r *Continuity) capNote() string {
	if r.CapSource == "configured" {
		return ""
	}
	return fmt.Sprintf(" No cap is configured: %d is the most common count among closed episodes with 3 or more contacts, "+
		"which biases the ratio upwards.", *r.Cap)
}

func (r *Continuity) heapingEvidence(w Writer) string {
	k := *r.Cap
	s := fmt.Sprintf("%s of closed episodes with a contact ended at exactly %d contacts vs %s at %d and %s at %d",
		w.share(r.AtCap, r.ClosedContacted, 0), k, w.share(r.BelowCap, r.ClosedContacted, 0), k-1,
		w.share(r.NextAbove, r.ClosedContacted, 0), k+1)
	// the ratio quoted is worked from published counts, so it cannot reveal a small one
	at, below, next := w.cell(r.AtCap), w.cell(r.BelowCap), w.cell(r.NextAbove)
	switch {
	case r.BelowCap+r.NextAbove == 0:
		s += fmt.Sprintf(" (heaping ratio not defined: none ended at %d or %d", k-1, k+1)
	case !at.Published() || !below.Published() || !next.Published() || below.N+next.N == 0:
		s += " (heaping ratio not published: small counts"
	default:
		s += fmt.Sprintf(" (heaping ratio %.1f", float64(at.N)/(float64(below.N+next.N)/2))
	}
	// one decimal: the detection threshold is 2% beyond the cap
	s += fmt.Sprintf("; %s went beyond %d; %s)", w.share(r.AboveCap, r.ClosedContacted, 1), k, w.n(r.ClosedContacted, "such episode"))
	return s
}

func (r *Continuity) heaping(w Writer) string {
	if r.Cap == nil {
		return "Cap heaping cannot be read: no cap is configured and no closed episode had 3 or more contacts."
	}
	if !w.readable(r.ClosedContacted) {
		return fmt.Sprintf("Cap heaping cannot be read: %s had a contact.", w.n(r.ClosedContacted, "closed episode"))
	}
	what := fmt.Sprintf("Session counts around %d", *r.Cap)
	if r.CapSource == "configured" {
		what = fmt.Sprintf("Session counts around the configured cap of %d", *r.Cap)
	}
	return fmt.Sprintf("%s: %s. A ratio of 2 or more with under 2%% beyond the cap is the signature of a fixed session cap.%s "+
		"It cannot show whether a cap was a service rule or patient choice.", what, r.heapingEvidence(w), r.capNote())
}

func (r *Continuity) heapingDetected(w Writer) string {
	if r.HeapingDetected == nil || r.Cap == nil || !w.readable(r.ClosedContacted) {
		return r.heaping(w)
	}
	if *r.HeapingDetected {
		return fmt.Sprintf("Contacts clustered at %d sessions: %s — the signature of a fixed session cap.%s "+
			"It cannot show whether the cap was a service rule or patient choice.", *r.Cap, r.heapingEvidence(w), r.capNote())
	}
	return fmt.Sprintf("No fixed session cap is evident at %d sessions: %s.%s It cannot rule out a cap applied flexibly "+
		"or at another count.", *r.Cap, r.heapingEvidence(w), r.capNote())
}

// HeapingWithheld replaces the cap-heaping readings when a report hides the flag: the
// readings quote shares of the counts the flag rests on.
const HeapingWithheld = "Cap heaping is not read here: a count it rests on (closed episodes ending at k − 1, k or k + 1 contacts, or beyond k) " +
	"is too small to publish, or hidden so that a small one cannot be worked out. A longer period may show it."

func (r *Continuity) firstContact(w Writer) string {
	if !w.readable(r.KMReferrals) {
		return fmt.Sprintf("Time to first contact cannot be read: it would rest on %s.", w.n(r.KMReferrals, "referral"))
	}
	method := fmt.Sprintf("(Kaplan–Meier over %s; those closed without contact are censored at closure, "+
		"those still open at the end of the data, %s)", w.n(r.KMReferrals, "referral"), r.DataEnd)
	if r.MedianDays == nil {
		return fmt.Sprintf("Fewer than half of referrals had a first link-worker contact by the end of follow-up, so the median "+
			"time is not estimable %s. It cannot show why contact was delayed or did not happen.", method)
	}
	s := fmt.Sprintf("Half of referrals had a first link-worker contact within %d days", *r.MedianDays)
	if r.P90Days != nil {
		s += fmt.Sprintf(" and 90%% within %d days", *r.P90Days)
	} else {
		s += "; fewer than 90% were contacted by the end of follow-up, so the 90th percentile is not estimable"
	}
	return s + " " + method + ". It cannot show whether delays came from capacity, from failed attempts to reach people, " +
		"or from people choosing to wait."
}

func (r *Continuity) reReferral(w Writer) string {
	if !w.readable(r.ReReferral90Eligible) || r.ReReferral90 == nil {
		return fmt.Sprintf("Re-referral cannot be read: %s ended at least 90 days before the end of the data.", w.n(r.ReReferral90Eligible, "episode"))
	}
	return fmt.Sprintf("%s of episodes with 90 days of follow-up after they ended were followed by a new referral of the same "+
		"person to the same scheme within 90 days (%s in %s). Quick re-referral can mean needs were not met, "+
		"or a planned return; the records cannot tell which.",
		capital(w.share(r.ReReferral90Events, r.ReReferral90Eligible, 0)), w.n(r.ReReferral90Events, "re-referral"),
		w.n(r.ReReferral90Eligible, "episode"))
}

func (r *Continuity) retention(w Writer) string {
	if !w.readable(r.RetentionEligible) || r.Retention == nil {
		return fmt.Sprintf("Same-worker retention cannot be read: %s within a year had a recorded worker on both sides.",
			w.n(r.RetentionEligible, "re-referral"))
	}
	return fmt.Sprintf("When people were re-referred within a year, %s first saw the link worker they had last seen before "+
		"(%s with a recorded worker on both sides). It cannot show whether the person asked for that worker "+
		"or whether the worker was still in post.", w.share(r.Retained, r.RetentionEligible, 0), w.n(r.RetentionEligible, "re-referral"))
}

func val(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
