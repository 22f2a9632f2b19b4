// Link-worker tables (design §5): continuity, session counts, time to first contact, index distributions.

package reports

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"

	"github.com/socrx/socrx/disclosure"
	"github.com/socrx/socrx/stats"
)

type kmPoint struct {
	day        int
	atRisk, ev *disclosure.Cell
	survival   float64
	atRiskRaw  int64
}

type contCells struct {
	episodes, contacted, n2, km, handoffs, pairs, contacts, noWorker, closed *disclosure.Cell
	atCapMinus, atCap, atCapPlus, aboveCap                                   *disclosure.Cell
	rr90, rr90den, rr365, rr365den, retained, retainDen                      *disclosure.Cell
}

// contFields lists the count cells of a continuity row, for the lines of totals.
var contFields = []func(*contCells) *disclosure.Cell{
	func(c *contCells) *disclosure.Cell { return c.episodes }, func(c *contCells) *disclosure.Cell { return c.contacted },
	func(c *contCells) *disclosure.Cell { return c.n2 }, func(c *contCells) *disclosure.Cell { return c.km },
	func(c *contCells) *disclosure.Cell { return c.handoffs }, func(c *contCells) *disclosure.Cell { return c.pairs },
	func(c *contCells) *disclosure.Cell { return c.contacts }, func(c *contCells) *disclosure.Cell { return c.noWorker },
	func(c *contCells) *disclosure.Cell { return c.closed }, func(c *contCells) *disclosure.Cell { return c.atCapMinus },
	func(c *contCells) *disclosure.Cell { return c.atCap }, func(c *contCells) *disclosure.Cell { return c.atCapPlus },
	func(c *contCells) *disclosure.Cell { return c.aboveCap }, func(c *contCells) *disclosure.Cell { return c.rr90 },
	func(c *contCells) *disclosure.Cell { return c.rr90den }, func(c *contCells) *disclosure.Cell { return c.rr365 },
	func(c *contCells) *disclosure.Cell { return c.rr365den }, func(c *contCells) *disclosure.Cell { return c.retained },
	func(c *contCells) *disclosure.Cell { return c.retainDen },
}

type sessionBin struct {
	contacts int64
	n        *disclosure.Cell
}

func (b *builder) loadContinuity(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := load(ctx, db, "continuity.sql", period)
	if err != nil {
		return err
	}
	b.cont = map[[2]string]*contCells{}
	b.contRaw = map[[2]string]rec{}
	for _, row := range rows {
		k := [2]string{row.str("scheme_id"), row.str("stratum")}
		cnt := func(col string) *disclosure.Cell {
			if row.isNull(col) {
				return b.p.NullCount()
			}
			return b.count("cont|"+col+"|"+k[0]+"|"+k[1], row.int(col))
		}
		b.cont[k] = &contCells{
			episodes: cnt("episodes"), contacted: cnt("contacted_episodes"), n2: cnt("episodes_n2"),
			km: cnt("km_referrals"), handoffs: cnt("handoffs"), pairs: cnt("worker_pairs"),
			contacts: cnt("contacts"), noWorker: cnt("contacts_without_worker"), closed: cnt("closed_contacted_episodes"),
			atCapMinus: cnt("episodes_at_cap_minus_1"), atCap: cnt("episodes_at_cap"),
			atCapPlus: cnt("episodes_at_cap_plus_1"), aboveCap: cnt("episodes_above_cap"),
			rr90: cnt("re_referred_90d_episodes"), rr90den: cnt("re_referral_eligible_90d"),
			rr365: cnt("re_referred_365d_episodes"), rr365den: cnt("re_referral_eligible_365d"),
			retained: cnt("retained_episodes"), retainDen: cnt("retention_eligible"),
		}
		b.contRaw[k] = row
	}
	// every count adds up over quintiles to (at most) the scheme's 'all' row, and over
	// schemes to ALL (each episode belongs to one scheme; the cap counts only when the
	// schemes share ALL's k, which the line then over-protects at worst)
	strata := []string{"1", "2", "3", "4", "5", "all"}
	for _, f := range contFields {
		for _, s := range b.schemes() {
			var line []*disclosure.Cell
			for _, st := range strata {
				if c := b.cont[[2]string{s, st}]; c != nil {
					line = append(line, f(c))
				}
			}
			b.lines = append(b.lines, line)
		}
		for _, st := range strata {
			var line []*disclosure.Cell
			for _, s := range b.schemes() {
				if c := b.cont[[2]string{s, st}]; c != nil {
					line = append(line, f(c))
				}
			}
			b.lines = append(b.lines, line)
		}
	}
	return nil
}

func (b *builder) loadSessions(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := load(ctx, db, "sessions.sql", period)
	if err != nil {
		return err
	}
	raw := map[string]map[int64]int64{}
	for _, row := range rows {
		s := row.str("scheme_id")
		if raw[s] == nil {
			raw[s] = map[int64]int64{}
		}
		raw[s][row.int("contacts")] += row.int("episodes")
	}
	top := sessionTop(raw, b.maxCap(), int64(b.p.Threshold))
	b.r.SessionTop = top
	b.sessions = map[string][]sessionBin{}
	byBin := map[int64][]*disclosure.Cell{}
	for _, s := range b.schemes() {
		counts, ok := raw[s]
		if !ok {
			continue
		}
		binned := make([]int64, top+1)
		var total int64
		for k, n := range counts {
			binned[min(k, top)] += n
			total += n
		}
		var line []*disclosure.Cell
		for k, n := range binned {
			c := b.p.Count(n)
			b.sessions[s] = append(b.sessions[s], sessionBin{contacts: int64(k), n: c})
			line = append(line, c)
			byBin[int64(k)] = append(byBin[int64(k)], c)
		}
		tc := b.count("cont|episodes|"+s+"|all", total)
		b.sessions[s] = append(b.sessions[s], sessionBin{contacts: -1, n: tc})
		b.lines = append(b.lines, append(line, tc))
	}
	for k := int64(0); k <= top; k++ {
		b.lines = append(b.lines, byBin[k])
	}
	return nil
}

// sessionTop picks the top-coded bin "k or more" of the session-count histogram: the
// largest k at which every scheme still has more than threshold episodes with k or more
// contacts, so the largest count (a maximum of person-level values) is never shown; but
// always above the largest cap, so that heaping at the cap stays visible (a thin top bin
// is then suppressed rather than merged into the cap).
func sessionTop(raw map[string]map[int64]int64, maxCap, threshold int64) int64 {
	top := int64(-1)
	for _, counts := range raw {
		var maxK int64
		for k := range counts {
			maxK = max(maxK, k)
		}
		// largest k with count(≥ k) > threshold for this scheme
		var above int64
		k := maxK
		for ; k > 0; k-- {
			above += counts[k]
			if above > threshold {
				break
			}
		}
		if top < 0 || k < top {
			top = k
		}
	}
	return max(top, maxCap+1, 1)
}

// maxCap is the largest session cap among the period's schemes (0 when none).
func (b *builder) maxCap() int64 {
	var m int64
	for _, row := range b.contRaw {
		m = max(m, row.int("cap"))
	}
	return m
}

var indexNames = []string{"upc", "coc", "secon"}

func (b *builder) loadIndexBins(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := periodRows(ctx, db, b.pre, "index_bins.sql", period)
	if err != nil {
		return err
	}
	raw := map[[2]string][]int64{}
	for _, row := range rows {
		k := [2]string{row.str("scheme_id"), row.str("idx")}
		if raw[k] == nil {
			raw[k] = make([]int64, 10)
		}
		if bin := row.int("bin"); bin >= 0 && bin < 10 {
			raw[k][bin] = row.int("n")
		}
	}
	b.indexBins = map[[2]string][]*disclosure.Cell{}
	keys := make([][2]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"|"+keys[i][1] < keys[j][0]+"|"+keys[j][1] })
	for _, k := range keys {
		counts := raw[k]
		var total int64
		cells := make([]*disclosure.Cell, 0, 11)
		for _, n := range counts {
			cells = append(cells, b.p.Count(n))
			total += n
		}
		cells = append(cells, b.count("cont|episodes_n2|"+k[0]+"|all", total))
		b.indexBins[k] = cells
		b.lines = append(b.lines, cells)
	}
	for _, idx := range indexNames {
		for bin := 0; bin <= 10; bin++ {
			var line []*disclosure.Cell
			for _, s := range b.schemes() {
				if cs := b.indexBins[[2]string{s, idx}]; cs != nil {
					line = append(line, cs[bin])
				}
			}
			b.lines = append(b.lines, line)
		}
	}
	return nil
}

func (b *builder) loadFirstContact(ctx context.Context, db *sql.DB, period sql.NamedArg) error {
	rows, err := periodRows(ctx, db, b.pre, "km.sql", period)
	if err != nil {
		return err
	}
	km := map[string][]stats.TimeCount{}
	for _, row := range rows {
		s := row.str("scheme_id")
		km[s] = append(km[s], stats.TimeCount{T: float64(row.int("day")), Events: row.int("events"), Censored: row.int("censored")})
	}
	b.kmCells = map[string][]kmPoint{}
	for _, s := range b.schemes() {
		steps, err := stats.KaplanMeier(km[s])
		if err != nil || len(steps) == 0 {
			continue
		}
		var total int64
		for _, tc := range km[s] {
			total += tc.Events + tc.Censored
		}
		for _, d := range firstContactDays {
			pt := kmPoint{day: d, survival: 1, atRiskRaw: total}
			var events int64
			for _, st := range steps {
				if st.T > float64(d) {
					break
				}
				pt.survival = st.Survival
				events += st.Events
				pt.atRiskRaw -= st.Events + st.Censored
			}
			pt.atRisk = b.count(fmt.Sprintf("km|at_risk|%s|%d", s, d), pt.atRiskRaw)
			pt.ev = b.count(fmt.Sprintf("km|events|%s|%d", s, d), events)
			b.kmCells[s] = append(b.kmCells[s], pt)
		}
	}
	// each day's counts add up over schemes to ALL
	for i := range firstContactDays {
		var ar, ev []*disclosure.Cell
		for _, s := range b.schemes() {
			if pts := b.kmCells[s]; len(pts) > i {
				ar, ev = append(ar, pts[i].atRisk), append(ev, pts[i].ev)
			}
		}
		b.lines = append(b.lines, ar, ev)
	}
	return nil
}

func (b *builder) buildSessions(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "session_counts", Title: "Link-worker contacts per episode", PerScheme: true,
		Note: fmt.Sprintf("Episodes by number of link-worker contacts; %d or more are grouped so that the largest count is never shown.", b.r.SessionTop),
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"contacts", "Contacts", disclosure.KindText}, {"episodes_n", "Episodes", disclosure.KindCount},
			{"at_cap", "At the cap", disclosure.KindText}}}
	for _, s := range b.schemes() {
		cap := b.contRaw[[2]string{s, "all"}].int("cap")
		for _, bin := range b.sessions[s] {
			lab := strconv.FormatInt(bin.contacts, 10)
			switch {
			case bin.contacts < 0:
				lab = "all"
			case bin.contacts == b.r.SessionTop:
				lab += "+"
			}
			at := ""
			if cap > 0 && bin.contacts == cap {
				at = "cap"
			}
			t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(lab), bin.n, disclosure.Text(at)})
		}
	}
	b.r.add(t)
	return nil
}

// firstContactDays are the days at which the time-to-first-contact curve is published:
// weekly to 13 weeks, then fortnightly to 26 weeks.
var firstContactDays = []int{0, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 91, 105, 119, 133, 147, 161, 175, 182}

func (b *builder) buildFirstContact(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "first_contact", Title: "Days to first link-worker contact", PerScheme: true,
		Note: "Kaplan–Meier estimate of the share contacted by each day (referrals closed without contact are censored at closure, open ones at data_end). " +
			"A point is withheld when fewer than the threshold remain at risk or its count is suppressed.",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"day", "Day", disclosure.KindText}, {"at_risk_n", "Still waiting", disclosure.KindCount},
			{"contacted_n", "Contacted by then", disclosure.KindCount}, {"contacted_share", "Share contacted (KM)", disclosure.KindValue}}}
	for _, s := range b.schemes() {
		for _, pt := range b.kmCells[s] {
			surv := pt.survival
			share := b.p.Derived([]*disclosure.Cell{pt.atRisk, pt.ev}, disclosure.FmtPercent, func() (float64, bool) { return 1 - surv, true })
			if pt.atRiskRaw <= int64(b.p.Threshold) {
				share = &disclosure.Cell{Kind: disclosure.KindValue, Format: disclosure.FmtPercent, Suppressed: true}
			}
			t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(strconv.Itoa(pt.day)), pt.atRisk, pt.ev, share})
		}
	}
	b.r.add(t)
	return nil
}

func (b *builder) buildContinuity(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "continuity", Title: "Continuity of link working", PerScheme: true,
		Note: "Means of the indices are over episodes with 2 or more contacts with a recorded worker, and are withheld when those number the threshold or fewer. " +
			"Shares are worked from the published counts. Cap heaping is decided once, on the unrounded counts (the ratio shown is worked from the published ones), " +
			"and hidden wherever a count it rests on (closed episodes, at k − 1, k, k + 1 and above k) is.",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"stratum", "IMD quintile", disclosure.KindText},
			{"episodes_n", "Episodes", disclosure.KindCount}, {"episodes_2plus_n", "With 2+ contacts", disclosure.KindCount},
			{"mean_upc", "Mean UPC", disclosure.KindValue}, {"mean_coc", "Mean COC", disclosure.KindValue}, {"mean_secon", "Mean SECON", disclosure.KindValue},
			{"mean_hhi", "Mean HHI", disclosure.KindValue}, {"mean_mmci", "Mean MMCI", disclosure.KindValue},
			{"median_days_to_first_contact", "Median days to contact", disclosure.KindValue}, {"p90_days_to_first_contact", "90th centile days", disclosure.KindValue},
			{"handoffs_n", "Hand-offs", disclosure.KindCount}, {"worker_pairs_n", "Consecutive pairs", disclosure.KindCount}, {"handoff_rate", "Hand-off rate", disclosure.KindValue},
			{"contacts_n", "Contacts", disclosure.KindCount}, {"contacts_without_worker_n", "Without worker", disclosure.KindCount}, {"missing_worker_share", "Share without worker", disclosure.KindValue},
			{"cap", "Cap k", disclosure.KindPlain}, {"cap_source", "Cap from", disclosure.KindText}, {"closed_episodes_n", "Closed with a contact", disclosure.KindCount},
			{"at_cap_minus_1_n", "At k−1", disclosure.KindCount}, {"at_cap_n", "At k", disclosure.KindCount}, {"at_cap_plus_1_n", "At k+1", disclosure.KindCount}, {"above_cap_n", "Above k", disclosure.KindCount},
			{"cap_heaping_share", "Share at k", disclosure.KindValue}, {"share_above_cap", "Share above k", disclosure.KindValue}, {"heaping_ratio", "Heaping ratio", disclosure.KindValue},
			{"cap_heaping_detected", "Cap heaping", disclosure.KindValue},
			{"re_referral_rate_90d", "Re-referred in 90 days", disclosure.KindValue}, {"re_referral_rate_365d", "Re-referred in 365 days", disclosure.KindValue},
			{"same_worker_retention", "Same worker on return", disclosure.KindValue}}}
	for _, s := range b.schemes() {
		for _, st := range []string{"all", "1", "2", "3", "4", "5"} {
			c, row := b.cont[[2]string{s, st}], b.contRaw[[2]string{s, st}]
			if c == nil {
				continue
			}
			n2, km := row.int("episodes_n2"), row.int("km_referrals")
			mean := func(col string) *disclosure.Cell {
				v, ok := row.num(col)
				return b.p.Summary(v, ok, n2, disclosure.FmtDecimal)
			}
			days := func(col string) *disclosure.Cell {
				v, ok := row.num(col)
				return b.p.Summary(v, ok, km, disclosure.FmtDays)
			}
			capCell := disclosure.Null()
			if !row.isNull("cap") {
				capCell = disclosure.Plain(row.int("cap"))
			}
			heap := b.p.Derived([]*disclosure.Cell{c.atCap, c.atCapMinus, c.atCapPlus}, disclosure.FmtDecimal, func() (float64, bool) {
				d := float64(c.atCapMinus.N+c.atCapPlus.N) / 2
				return float64(c.atCap.N) / d, c.atCap.Published() && d > 0
			})
			detected := b.heapingFlag(s, st)
			t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(st), c.episodes, c.n2,
				mean("mean_upc"), mean("mean_coc"), mean("mean_secon"), mean("mean_hhi"), mean("mean_mmci"),
				days("median_days_to_first_contact"), days("p90_days_to_first_contact"),
				c.handoffs, c.pairs, b.p.Ratio(c.handoffs, c.pairs, 1, disclosure.FmtPercent),
				c.contacts, c.noWorker, b.p.Ratio(c.noWorker, c.contacts, 1, disclosure.FmtPercent),
				capCell, disclosure.Text(row.str("cap_source")), c.closed, c.atCapMinus, c.atCap, c.atCapPlus, c.aboveCap,
				b.p.Ratio(c.atCap, c.closed, 1, disclosure.FmtPercent), b.p.Ratio(c.aboveCap, c.closed, 1, disclosure.FmtPercent), heap, detected,
				b.p.Ratio(c.rr90, c.rr90den, 1, disclosure.FmtPercent), b.p.Ratio(c.rr365, c.rr365den, 1, disclosure.FmtPercent),
				b.p.Ratio(c.retained, c.retainDen, 1, disclosure.FmtPercent)})
		}
	}
	b.r.add(t)
	return nil
}

// heapingFlag publishes the mart's cap_heaping_detected for a scheme and stratum: decided
// once on the unrounded counts (design §5), and hidden wherever a count it rests on is
// (closed episodes, and those at k − 1, k, k + 1 and beyond k), as any derived value is.
// The continuity table and the summary's signal share the cell.
func (b *builder) heapingFlag(scheme, stratum string) *disclosure.Cell {
	k := [2]string{scheme, stratum}
	if c, ok := b.heaping[k]; ok {
		return c
	}
	c := disclosure.Null()
	if cc, row := b.cont[k], b.contRaw[k]; cc != nil {
		// hidden with its inputs even when the mart has no flag: an empty flag beside a
		// hidden count of closed episodes would say that the count is 0
		detected, ok := row.bool("cap_heaping_detected"), !row.isNull("cap_heaping_detected")
		c = b.p.Derived([]*disclosure.Cell{cc.closed, cc.atCapMinus, cc.atCap, cc.atCapPlus, cc.aboveCap}, disclosure.FmtBool,
			func() (float64, bool) { return boolf(detected), ok })
	}
	b.heaping[k] = c
	return c
}

func (b *builder) buildIndexBins(context.Context, *sql.DB, sql.NamedArg) error {
	t := &Table{Name: "index_distribution", Title: "Distribution of continuity indices", PerScheme: true,
		Note:    "Episodes with 2 or more contacts with a recorded worker, by index value in tenths (1.0 is in the top tenth).",
		Columns: []Column{{"scheme_id", "Scheme", disclosure.KindText}, {"index", "Index", disclosure.KindText}, {"bin", "Value", disclosure.KindText}, {"episodes_n", "Episodes", disclosure.KindCount}}}
	for _, s := range b.schemes() {
		for _, idx := range indexNames {
			cells := b.indexBins[[2]string{s, idx}]
			for i, c := range cells {
				lab := fmt.Sprintf("%.1f–%.1f", float64(i)/10, float64(i+1)/10)
				if i == 10 {
					lab = "all"
				}
				t.Rows = append(t.Rows, []*disclosure.Cell{disclosure.Text(s), disclosure.Text(idx), disclosure.Text(lab), c})
			}
		}
	}
	b.r.add(t)
	return nil
}
