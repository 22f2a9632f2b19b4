package equity_test

import (
	"database/sql"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/socrx/socrx/stats"
	"github.com/socrx/socrx/transforms/modeltest"
)

// lsoaPerDecile returns, per IoD2019 decile, the LSOA with the lowest code in it.
func lsoaPerDecile(t testing.TB, tx *sql.Tx) map[int]string {
	t.Helper()
	rs, err := tx.Query(`SELECT imd_decile, min(lsoa_code) FROM deprivation GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	out := map[int]string{}
	for rs.Next() {
		var d int
		var l string
		if err := rs.Scan(&d, &l); err != nil {
			t.Fatal(err)
		}
		out[d] = l
	}
	return out
}

// cohort inserts n referrals of a scheme from one LSOA, all on one date, whose pathway
// is set by index i (0 ≤ i < n): the first `contacted` get one attended link-worker contact
// 5 days after referral, the first `engaged` three (days 5–7), the first `vcs` an attended
// VCS session on day 20, and the last `dna` a link-worker DNA on day 3. Sex alternates
// F/M; age and ethnic category are as given.
type cohort struct {
	scheme, practice, lsoa, date, ethnic string
	n, contacted, engaged, vcs, dna      int
	age                                  int
	tag                                  string // makes referral ids unique
}

func insertCohort(t testing.TB, tx *sql.Tx, c cohort) {
	t.Helper()
	lsoa := any(nil)
	if c.lsoa != "" {
		lsoa = c.lsoa
	}
	modeltest.Exec(t, tx, `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, lsoa_code, sex, age, ethnic_category)
		SELECT $1 || '-' || i, 'p-' || $1 || '-' || i, $2, $3, CAST($4 AS DATE), $5,
			CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, $6, $7
		FROM range($8) r(i)`, c.tag, c.scheme, c.practice, c.date, lsoa, c.age, c.ethnic, c.n)
	modeltest.Exec(t, tx, `INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id)
		SELECT $1 || '-a' || i || '-' || k, $1 || '-' || i, CAST($2 AS DATE) + CAST(5 + k AS INTEGER), 'link_worker', 'attended', 'W1', NULL
		FROM range($3) r(i), range(3) s(k)
		WHERE (k = 0 AND i < $4) OR (k > 0 AND i < $5)`, c.tag, c.date, c.n, c.contacted, c.engaged)
	modeltest.Exec(t, tx, `INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id)
		SELECT $1 || '-v' || i, $1 || '-' || i, CAST($2 AS DATE) + 20, 'vcs', 'attended', NULL, 'V1'
		FROM range($3) r(i)`, c.tag, c.date, c.vcs)
	modeltest.Exec(t, tx, `INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id)
		SELECT $1 || '-d' || i, $1 || '-' || i, CAST($2 AS DATE) + 3, 'link_worker', 'dna', 'W1', NULL
		FROM range($3 - $4, $3) r(i)`, c.tag, c.date, c.n, c.dna)
}

// stratumRow is one equity_strata row as read back.
type stratumRow struct {
	num                 int64
	den                 sql.NullInt64
	value, lower, upper sql.NullFloat64
	immature            int64
	basis               sql.NullString
}

func getStratum(t testing.TB, tx *sql.Tx, scheme, period, dim, stratum, measure string) stratumRow {
	t.Helper()
	var s stratumRow
	err := tx.QueryRow(`SELECT numerator, denominator, value, lower, upper, immature, quantile_basis FROM equity_strata
		WHERE scheme_id = ? AND period = ? AND dimension = ? AND stratum = ? AND measure = ?`,
		scheme, period, dim, stratum, measure).Scan(&s.num, &s.den, &s.value, &s.lower, &s.upper, &s.immature, &s.basis)
	if err != nil {
		t.Fatalf("equity_strata %s %s %s %s %s: %v", scheme, period, dim, stratum, measure, err)
	}
	return s
}

// summaryRow is the part of an equity_summary row the tests read.
type summaryRow struct {
	sii, siiLo, siiHi, rii, rci, rciLo, rciHi, aci, erreygers sql.NullFloat64
	gap, gapLo, gapHi, ratio, ratioLo, ratioHi, core20        sql.NullFloat64
	excluded                                                  sql.NullInt64
	verdict, reason                                           string
	discordant                                                sql.NullBool
	maxOverMin                                                sql.NullFloat64
	maxStratum, minStratum, basis                             sql.NullString
	strataUsed                                                int
	popUnmatched                                              sql.NullInt64
}

func getSummary(t testing.TB, tx *sql.Tx, scheme, period, dim, measure string) summaryRow {
	t.Helper()
	var s summaryRow
	err := tx.QueryRow(`SELECT sii, sii_lower, sii_upper, rii, rci, rci_lower, rci_upper, aci, erreygers,
			q5_minus_q1, q5_minus_q1_lower, q5_minus_q1_upper, q5_over_q1, q5_over_q1_lower, q5_over_q1_upper,
			core20_share_ratio, excluded_no_lsoa, verdict, verdict_reason, discordant, max_over_min, max_stratum,
			min_stratum, quantile_basis, strata_used, population_unmatched
		FROM equity_summary WHERE scheme_id = ? AND period = ? AND dimension = ? AND measure = ?`,
		scheme, period, dim, measure).Scan(&s.sii, &s.siiLo, &s.siiHi, &s.rii, &s.rci, &s.rciLo, &s.rciHi, &s.aci,
		&s.erreygers, &s.gap, &s.gapLo, &s.gapHi, &s.ratio, &s.ratioLo, &s.ratioHi, &s.core20, &s.excluded,
		&s.verdict, &s.reason, &s.discordant, &s.maxOverMin, &s.maxStratum, &s.minStratum, &s.basis,
		&s.strataUsed, &s.popUnmatched)
	if err != nil {
		t.Fatalf("equity_summary %s %s %s %s: %v", scheme, period, dim, measure, err)
	}
	return s
}

func within(got sql.NullFloat64, want, rel float64) bool {
	return got.Valid && math.Abs(got.Float64-want) <= rel*math.Abs(want)
}

// TestEquityArea2EndToEnd rebuilds PHE's Area2 SII test case from patient-level rows:
// in decile d, den_d referrals of which num_d had a link-worker contact, so the contacted
// proportions by decile are Area2's. The summary must reproduce phe_sii's SII and RII.
func TestEquityArea2EndToEnd(t *testing.T) {
	t.Parallel()
	num := []int64{4362, 3734, 3032, 2561, 2304, 2024, 1938, 1981, 1856, 1635}
	den := []int64{36111, 31803, 26681, 24184, 23023, 21506, 22197, 23679, 23271, 23464}
	tx := modeltest.OpenWithReference(t)
	lsoa := lsoaPerDecile(t, tx)
	var values []string
	for d := range num {
		values = append(values, fmt.Sprintf("(%d, %d, %d, %s)", d+1, den[d], num[d], modeltest.Quote(lsoa[d+1])))
	}
	modeltest.Exec(t, tx, `CREATE TEMP TABLE area2 (decile INTEGER, den INTEGER, num INTEGER, lsoa VARCHAR)`)
	modeltest.Exec(t, tx, `INSERT INTO area2 VALUES `+strings.Join(values, ", "))
	modeltest.Exec(t, tx, `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, lsoa_code)
		SELECT 'r' || decile || '-' || i, 'p' || decile || '-' || i, 'AREA2', 'A81001', DATE '2024-01-15', lsoa
		FROM (SELECT decile, lsoa, unnest(range(den)) AS i FROM area2)`)
	modeltest.Exec(t, tx, `INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id)
		SELECT 'a' || decile || '-' || i, 'r' || decile || '-' || i, DATE '2024-01-25', 'link_worker', 'attended', 'W1'
		FROM (SELECT decile, unnest(range(num)) AS i FROM area2)`)
	modeltest.Build(t, tx, modeltest.Params())

	for d := range num {
		s := getStratum(t, tx, "AREA2", "2024-Q1", "imd_decile", fmt.Sprint(d+1), "contacted")
		ci, _ := stats.Wilson(num[d], den[d])
		if s.num != num[d] || s.den.Int64 != den[d] || !within(s.lower, ci.Lower, 1e-12) || !within(s.upper, ci.Upper, 1e-12) {
			t.Errorf("decile %d: %+v, want %d/%d %v", d+1, s, num[d], den[d], ci)
		}
	}
	for _, period := range []string{"2024-Q1", "all"} {
		for _, scheme := range []string{"AREA2", "ALL"} {
			got := getSummary(t, tx, scheme, period, "imd_decile", "contacted")
			if !within(got.sii, -0.05970061643992898, 1e-9) || !within(got.rii, 0.54720744261319809, 1e-9) {
				t.Errorf("%s %s: SII %v RII %v, want -0.05970061643992898, 0.54720744261319809", scheme, period, got.sii, got.rii)
			}
			// PHE's simulated limits; the closed form is within 1%.
			if !within(got.siiLo, -0.063924, 0.01) || !within(got.siiHi, -0.055461, 0.01) {
				t.Errorf("%s %s: SII CI %v %v", scheme, period, got.siiLo, got.siiHi)
			}
			if got.verdict != stats.VerdictRedistributive || got.strataUsed != 10 {
				t.Errorf("%s %s: verdict %s (%s), strata %d", scheme, period, got.verdict, got.reason, got.strataUsed)
			}
		}
	}
	var reading string
	if err := tx.QueryRow(`SELECT reading FROM archetype_signals WHERE scheme_id = 'AREA2' AND period = '2024-Q1'
		AND setting = 'vcs' AND signal = 'sii_contacted'`).Scan(&reading); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"rose with deprivation", "12% in the most deprived fifth vs 7% in the least",
		"SII \u22120.", "one signal among many tests"} {
		if !strings.Contains(reading, want) {
			t.Errorf("reading lacks %q:\n%s", want, reading)
		}
	}
}

// insertFixture is the shared small fixture (see TestEquityFixture).
func insertFixture(t testing.TB, tx *sql.Tx, lsoa map[int]string) {
	t.Helper()
	// S1, 2024-Q1: 200 referrals in each national quintile (LSOA of decile 2q − 1).
	// contacted falls with quintile (redistributive), vcs_uptake rises (non-redistributive),
	// engaged has no one in quintile 2 (insufficient data), dna is adverse.
	contacted := []int{160, 140, 120, 100, 80}
	engaged := []int{30, 0, 30, 30, 30}
	vcs := []int{20, 40, 60, 80, 100}
	for q := 1; q <= 5; q++ {
		eth := "A"
		if q > 3 {
			eth = "H"
		}
		insertCohort(t, tx, cohort{tag: fmt.Sprintf("s1q%d", q), scheme: "S1", practice: "A81001", lsoa: lsoa[2*q-1],
			date: "2024-01-10", ethnic: eth, age: 30, n: 200, contacted: contacted[q-1], engaged: engaged[q-1],
			vcs: vcs[q-1], dna: 10})
	}
	// S1, 2024-Q4: 10 referrals too recent for any window (immature).
	insertCohort(t, tx, cohort{tag: "s1late", scheme: "S1", practice: "A81001", lsoa: lsoa[1], date: "2024-12-15",
		ethnic: "A", age: 30, n: 10, contacted: 10})
	// S1, 2024-Q1: three referrals without a usable LSOA (missing, Welsh, unknown code).
	for i, code := range []string{"", "W01000001", "E01999999"} {
		insertCohort(t, tx, cohort{tag: fmt.Sprintf("s1x%d", i), scheme: "S1", practice: "A81001", lsoa: code,
			date: "2024-01-10", ethnic: "A", age: 30, n: 1, contacted: 1})
	}
	// S2: only quintiles 1 and 5 have referrals.
	for _, q := range []int{1, 5} {
		insertCohort(t, tx, cohort{tag: fmt.Sprintf("s2q%d", q), scheme: "S2", practice: "B81001", lsoa: lsoa[2*q-1],
			date: "2024-02-01", ethnic: "A", age: 50, n: 50, contacted: 25, engaged: 10, vcs: 10, dna: 5})
	}
	// S4: quintile 4 empty, the rest flat at 50% contacted.
	for _, q := range []int{1, 2, 3, 5} {
		insertCohort(t, tx, cohort{tag: fmt.Sprintf("s4q%d", q), scheme: "S4", practice: "C81001", lsoa: lsoa[2*q-1],
			date: "2024-02-01", ethnic: "A", age: 70, n: 100, contacted: 50, engaged: 20, vcs: 20, dna: 5})
	}
}

func TestEquityFixture(t *testing.T) {
	t.Parallel()
	tx := modeltest.OpenWithReference(t)
	lsoa := lsoaPerDecile(t, tx)
	insertFixture(t, tx, lsoa)
	// S3: one referral with a 2021 code from a split 2011 LSOA, mapped back to IoD2019.
	var code21, code11 string
	var decile int
	if err := tx.QueryRow(`SELECT l.lsoa21_code, l.lsoa11_code, d.imd_decile FROM lsoa_lookup l
		JOIN deprivation d ON d.lsoa_code = l.lsoa11_code
		WHERE l.change_code = 'S' AND l.lsoa21_code NOT IN (SELECT lsoa_code FROM deprivation)
		ORDER BY l.lsoa21_code LIMIT 1`).Scan(&code21, &code11, &decile); err != nil {
		t.Fatal(err)
	}
	insertCohort(t, tx, cohort{tag: "s3", scheme: "S3", practice: "D81001", lsoa: code21, date: "2024-03-01",
		ethnic: "A", age: 40, n: 1, contacted: 1})
	s3q1 := int64(0) // S3's referral is in quintile 1 when its decile is 1 or 2
	if decile <= 2 {
		s3q1 = 1
	}
	// registered population for S1's practice: 10,000 in each quintile's LSOA, 500 unallocated
	for q := 1; q <= 5; q++ {
		modeltest.Exec(t, tx, `INSERT INTO population (extract_date, practice_code, lsoa_code, sex, patients)
			VALUES (DATE '2024-02-15', 'A81001', ?, 'ALL', 10000)`, lsoa[2*q-1])
	}
	modeltest.Exec(t, tx, `INSERT INTO population (extract_date, practice_code, lsoa_code, sex, patients)
		VALUES (DATE '2024-02-15', 'A81001', 'CLOSED', 'ALL', 500)`)
	modeltest.Build(t, tx, modeltest.Params())

	t.Run("strata", func(t *testing.T) {
		cases := []struct {
			scheme, period, dim, stratum, measure string
			num, den, immature                    int64
		}{
			{"S1", "2024-Q1", "imd_quintile", "1", "contacted", 160, 200, 0},
			{"S1", "2024-Q1", "imd_quintile", "5", "contacted", 80, 200, 0},
			{"S1", "2024-Q1", "imd_decile", "9", "vcs_uptake", 100, 200, 0},
			{"S1", "2024-Q1", "imd_decile", "2", "vcs_uptake", 0, 0, 0},  // empty decile listed
			{"S1", "2024-Q1", "imd_quintile", "2", "engaged", 0, 200, 0}, // numerator 0
			// dna: booked = contacted (first 140) ∪ DNA (last 10) = 150; 10 DNAs
			{"S1", "2024-Q1", "imd_quintile", "2", "dna", 10, 150, 0},
			// the late cohort: immature for contacted in its period and in 'all'
			{"S1", "2024-Q4", "imd_quintile", "1", "contacted", 0, 0, 10},
			{"S1", "all", "imd_quintile", "1", "contacted", 160, 200, 10},
			{"ALL", "all", "imd_quintile", "1", "contacted", 160 + 25 + 50 + s3q1, 200 + 50 + 100 + s3q1, 10},
			// reach: people per 1,000 registered; 'all' counts the late cohort's people too
			{"S1", "2024-Q1", "imd_quintile", "3", "reach", 200, 10000, 0},
			{"S1", "all", "imd_quintile", "1", "reach", 210, 10000, 0},
			// the 2021 code, mapped to its 2011 LSOA's decile
			{"S3", "2024-Q1", "imd_decile", fmt.Sprint(decile), "contacted", 1, 1, 0},
			// unordered dimensions
			{"S1", "2024-Q1", "sex", "female", "contacted", 80 + 70 + 60 + 50 + 40 + 3, 500 + 3, 0},
			{"S1", "2024-Q1", "ethnic_group", "asian", "contacted", 180, 400, 0},
			{"S1", "2024-Q1", "age_band", "25-34", "vcs_uptake", 300, 1003, 0},
		}
		for _, c := range cases {
			s := getStratum(t, tx, c.scheme, c.period, c.dim, c.stratum, c.measure)
			if s.num != c.num || s.den.Int64 != c.den || s.immature != c.immature {
				t.Errorf("%s %s %s %s %s: %d/%d immature %d; want %d/%d immature %d", c.scheme, c.period, c.dim,
					c.stratum, c.measure, s.num, s.den.Int64, s.immature, c.num, c.den, c.immature)
				continue
			}
			if c.den == 0 {
				if s.value.Valid || s.lower.Valid {
					t.Errorf("%s %s %s %s %s: empty stratum has value %v", c.scheme, c.period, c.dim, c.stratum, c.measure, s.value)
				}
				continue
			}
			want, _ := stats.Wilson(c.num, c.den)
			v := float64(c.num) / float64(c.den)
			if c.measure == "reach" {
				want, _ = stats.PoissonRate(c.num, float64(c.den), 1000)
				v *= 1000
			}
			if !within(s.value, v, 1e-12) || !within(s.lower, want.Lower, 1e-12) || !within(s.upper, want.Upper, 1e-12) {
				t.Errorf("%s %s %s %s %s: %v (%v, %v), want %g %v", c.scheme, c.period, c.dim, c.stratum, c.measure,
					s.value, s.lower, s.upper, v, want)
			}
		}
	})

	t.Run("verdicts", func(t *testing.T) {
		cases := []struct {
			scheme, period, dim, measure, verdict, reason string
		}{
			{"S1", "2024-Q1", "imd_quintile", "contacted", stats.VerdictRedistributive, "below 0"},
			{"S1", "2024-Q1", "imd_quintile", "vcs_uptake", stats.VerdictNonRedistributive, "above 0"},
			{"S1", "2024-Q1", "imd_quintile", "engaged", stats.VerdictInsufficientData, "quintile 2 has numerator 0 (logit undefined)"},
			{"S1", "2024-Q1", "imd_quintile", "dna", stats.VerdictNotApplicable, "adverse measure"},
			{"S1", "2024-Q1", "imd_quintile", "reach", stats.VerdictNoClearGradient, "spans 0"},
			{"S1", "2024-Q1", "imd_decile", "contacted", stats.VerdictRedistributive, "below 0"},
			{"S2", "2024-Q1", "imd_quintile", "contacted", stats.VerdictInsufficientData, "fewer than 3 non-empty strata (2)"},
			{"S2", "2024-Q1", "imd_quintile", "reach", stats.VerdictInsufficientData, "no registered population"},
			{"S4", "2024-Q1", "imd_quintile", "contacted", stats.VerdictNoClearGradient, "spans 0"},
			{"S1", "2024-Q1", "sex", "contacted", stats.VerdictNotApplicable, "unordered"},
		}
		for _, c := range cases {
			got := getSummary(t, tx, c.scheme, c.period, c.dim, c.measure)
			if got.verdict != c.verdict || !strings.Contains(got.reason, c.reason) {
				t.Errorf("%s %s %s %s: %s (%s); want %s with %q", c.scheme, c.period, c.dim, c.measure,
					got.verdict, got.reason, c.verdict, c.reason)
			}
		}
	})

	t.Run("summary values", func(t *testing.T) {
		// S1 contacted by quintile, recomputed from the counts with the stats package.
		num := []int64{160, 140, 120, 100, 80}
		strata := make([]stats.Stratum, 5)
		for j := range strata {
			ci, _ := stats.Wilson(num[j], 200)
			strata[j] = stats.Stratum{Label: fmt.Sprint(j + 1), Numerator: float64(num[j]), Denominator: 200,
				Value: float64(num[j]) / 200, CI: ci}
		}
		sii, _ := stats.SII(strata, stats.Proportion)
		rci, _ := stats.Concentration(strata, stats.Proportion)
		gap, gapCI, _ := stats.NewcombeDifference(80, 200, 160, 200)
		ratio, ratioCI, _ := stats.KatzRatio(80, 200, 160, 200)
		got := getSummary(t, tx, "S1", "2024-Q1", "imd_quintile", "contacted")
		for _, c := range []struct {
			name string
			got  sql.NullFloat64
			want float64
		}{
			{"sii", got.sii, sii.SII}, {"sii lower", got.siiLo, sii.SIICI.Lower}, {"sii upper", got.siiHi, sii.SIICI.Upper},
			{"rii", got.rii, sii.RII}, {"rci", got.rci, rci.RCI}, {"rci lower", got.rciLo, rci.CI.Lower},
			{"aci", got.aci, rci.ACI}, {"erreygers", got.erreygers, rci.Erreygers},
			{"gap", got.gap, gap}, {"gap lower", got.gapLo, gapCI.Lower}, {"gap upper", got.gapHi, gapCI.Upper},
			{"ratio", got.ratio, ratio}, {"ratio lower", got.ratioLo, ratioCI.Lower},
			// Core20: quintile 1 has 160 of 600 contacted, 200 of 1000 referrals: (160/600)/(200/1000)
			{"core20", got.core20, (160.0 / 600) / (200.0 / 1000)},
		} {
			if !within(c.got, c.want, 1e-12) {
				t.Errorf("%s = %v, want %.15g", c.name, c.got, c.want)
			}
		}
		if got.excluded.Int64 != 3 || !got.discordant.Valid || got.discordant.Bool || got.basis.String != "national" {
			t.Errorf("excluded %v, discordant %v, basis %v", got.excluded, got.discordant, got.basis)
		}
		if s3 := getSummary(t, tx, "S3", "2024-Q1", "imd_quintile", "contacted"); s3.excluded.Int64 != 0 {
			t.Errorf("S3 excluded %v: the mapped 2021 code was excluded", s3.excluded)
		}
		if all := getSummary(t, tx, "ALL", "all", "imd_quintile", "contacted"); all.excluded.Int64 != 3 {
			t.Errorf("ALL excluded %v, want 3", all.excluded)
		}
		// S4: quintile 4 is empty, so the SII rests on four strata
		if s4 := getSummary(t, tx, "S4", "2024-Q1", "imd_quintile", "contacted"); s4.strataUsed != 4 || !s4.sii.Valid {
			t.Errorf("S4: %d strata, SII %v", s4.strataUsed, s4.sii)
		}
		// reach: 500 unallocated patients counted, not stratified
		if r := getSummary(t, tx, "S1", "2024-Q1", "imd_quintile", "reach"); r.popUnmatched.Int64 != 500 || r.erreygers.Valid {
			t.Errorf("reach: unmatched %v, erreygers %v", r.popUnmatched, r.erreygers)
		}
		// unordered: white (420 + the 3 without an LSOA)/603 vs asian 180/400
		eth := getSummary(t, tx, "S1", "2024-Q1", "ethnic_group", "contacted")
		if !within(eth.maxOverMin, (423.0/603)/(180.0/400), 1e-12) || eth.maxStratum.String != "white" || eth.minStratum.String != "asian" ||
			eth.sii.Valid || eth.excluded.Valid {
			t.Errorf("ethnic_group: %+v", eth)
		}
	})

	t.Run("signals", func(t *testing.T) {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM archetype_signals WHERE setting = 'vcs'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		// every scheme × period cell, four favourable measures each
		var cells int
		if err := tx.QueryRow(`SELECT count(DISTINCT (scheme_id, period)) FROM equity_strata`).Scan(&cells); err != nil {
			t.Fatal(err)
		}
		if n != 4*cells {
			t.Errorf("%d vcs signals for %d cells", n, cells)
		}
		var reading string
		var value sql.NullFloat64
		if err := tx.QueryRow(`SELECT value, reading FROM archetype_signals WHERE scheme_id = 'S1' AND period = '2024-Q1'
			AND signal = 'sii_contacted'`).Scan(&value, &reading); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Contact with a link worker within 90 days rose with deprivation",
			"80% in the most deprived fifth vs 40% in the least", "(95% CI \u2212", "3 referrals without a usable LSOA were left out",
			"not a verdict on the scheme"} {
			if !strings.Contains(reading, want) {
				t.Errorf("reading lacks %q:\n%s", want, reading)
			}
		}
		if err := tx.QueryRow(`SELECT reading FROM archetype_signals WHERE scheme_id = 'S1' AND period = '2024-Q1'
			AND signal = 'sii_engaged'`).Scan(&reading); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(reading, "Not judged: quintile 2 has numerator 0") {
			t.Errorf("engaged reading: %s", reading)
		}
	})
}

// TestEquityQuantiles covers `quantiles: local` and its fallback, and reach without a
// population file.
func TestEquityQuantiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		population bool
	}{{"local", true}, {"fallback", false}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx := modeltest.OpenWithReference(t)
			// five LSOAs all in national decile 1, ranked by IMD rank: locally they are the
			// five local fifths, most deprived first
			rs, err := tx.Query(`SELECT lsoa_code FROM deprivation WHERE imd_decile = 1 ORDER BY imd_rank LIMIT 5`)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for rs.Next() {
				var s string
				if err := rs.Scan(&s); err != nil {
					t.Fatal(err)
				}
				codes = append(codes, s)
			}
			rs.Close()
			contacted := []int{40, 35, 30, 25, 20}
			for i, code := range codes {
				insertCohort(t, tx, cohort{tag: fmt.Sprintf("l%d", i), scheme: "L1", practice: "A81001", lsoa: code,
					date: "2024-01-10", ethnic: "A", age: 30, n: 50, contacted: contacted[i]})
				if c.population {
					modeltest.Exec(t, tx, `INSERT INTO population (extract_date, practice_code, lsoa_code, sex, patients)
						VALUES (DATE '2024-02-15', 'A81001', ?, 'ALL', 2000)`, code)
				}
			}
			p := modeltest.Params()
			p.Quantiles = "local"
			modeltest.Build(t, tx, p)
			got := getSummary(t, tx, "L1", "2024-Q1", "imd_quintile", "contacted")
			reach := getSummary(t, tx, "L1", "2024-Q1", "imd_quintile", "reach")
			if c.population {
				for q := 1; q <= 5; q++ {
					s := getStratum(t, tx, "L1", "2024-Q1", "imd_quintile", fmt.Sprint(q), "contacted")
					if s.num != int64(contacted[q-1]) || s.den.Int64 != 50 || s.basis.String != "local" {
						t.Errorf("local quintile %d: %+v", q, s)
					}
				}
				if got.basis.String != "local" || got.verdict != stats.VerdictRedistributive {
					t.Errorf("local: %s %s (%s)", got.basis.String, got.verdict, got.reason)
				}
				if reach.verdict != stats.VerdictNoClearGradient || reach.strataUsed != 5 {
					t.Errorf("local reach: %s (%s), %d strata", reach.verdict, reach.reason, reach.strataUsed)
				}
				return
			}
			// without population everything is in national quintile 1
			if got.basis.String != "national" || got.verdict != stats.VerdictInsufficientData ||
				!strings.Contains(got.reason, "national ones were used") {
				t.Errorf("fallback: %s %s (%s)", got.basis.String, got.verdict, got.reason)
			}
			if reach.verdict != stats.VerdictInsufficientData || !strings.HasPrefix(reach.reason, "no population file") {
				t.Errorf("reach without population: %s (%s)", reach.verdict, reach.reason)
			}
			if s := getStratum(t, tx, "L1", "2024-Q1", "imd_quintile", "1", "reach"); s.num != 250 || s.den.Valid || s.value.Valid {
				t.Errorf("reach stratum without population: %+v", s)
			}
		})
	}
}

// TestEquityComments checks every column of the equity marts is documented.
func TestEquityComments(t *testing.T) {
	t.Parallel()
	tx := modeltest.OpenWithReference(t)
	modeltest.Build(t, tx, modeltest.Params())
	for _, table := range []string{"equity_strata", "equity_summary"} {
		var tableComment sql.NullString
		if err := tx.QueryRow(`SELECT comment FROM duckdb_tables() WHERE table_name = ?`, table).Scan(&tableComment); err != nil {
			t.Fatal(err)
		}
		if !tableComment.Valid || tableComment.String == "" {
			t.Errorf("%s has no comment", table)
		}
		rs, err := tx.Query(`SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND (comment IS NULL OR comment = '')`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var col string
			if err := rs.Scan(&col); err != nil {
				t.Fatal(err)
			}
			t.Errorf("%s.%s has no comment", table, col)
		}
		rs.Close()
	}
}

// BenchmarkEquity times Build over about 1M referrals and 10M attendances spread over
// ten schemes, two years of quarters and every IMD decile. Run with -bench Equity.
func BenchmarkEquity(b *testing.B) {
	tx := modeltest.OpenWithReference(b)
	benchData(b, tx)
	p := modeltest.Params()
	b.ResetTimer()
	for range b.N {
		modeltest.Build(b, tx, p)
	}
}

// benchData generates the benchmark's extracts in DuckDB: 1M referrals over 800k people,
// 200 practices and every LSOA, each with seven link-worker bookings (one in eleven a DNA)
// and three VCS sessions, and a population extract for every practice.
func benchData(tb testing.TB, tx *sql.Tx) {
	tb.Helper()
	modeltest.Exec(tb, tx, `CREATE TEMP TABLE bench_lsoa AS
		SELECT lsoa_code, row_number() OVER (ORDER BY lsoa_code) - 1 AS k FROM deprivation`)
	modeltest.Exec(tb, tx, `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, lsoa_code, sex, age, ethnic_category)
		SELECT 'r' || i, 'p' || (i % 800000), 'S' || (i % 10), 'P' || (i % 200), DATE '2023-01-01' + CAST(i % 730 AS INTEGER),
			l.lsoa_code, CASE WHEN i % 2 = 0 THEN 'F' ELSE 'M' END, CAST(18 + i % 70 AS INTEGER), chr(65 + CAST(i % 8 AS INTEGER))
		FROM range(1000000) r(i)
		JOIN bench_lsoa l ON l.k = (i * 7919) % 32844`)
	modeltest.Exec(tb, tx, `INSERT INTO attendances (attendance_id, referral_id, attendance_date, setting, status, worker_id, provider_id)
		SELECT 'a' || i || '-' || k, 'r' || i, DATE '2023-01-01' + CAST(i % 730 + 7 * k AS INTEGER),
			CASE WHEN k < 7 THEN 'link_worker' ELSE 'vcs' END,
			CASE WHEN (i + k) % 11 = 0 THEN 'dna' ELSE 'attended' END,
			CASE WHEN k < 7 THEN 'W' || (i % 50) END, CASE WHEN k >= 7 THEN 'V' || (i % 30) END
		FROM range(1000000) r(i), range(10) s(k)`)
	modeltest.Exec(tb, tx, `INSERT INTO population (extract_date, practice_code, lsoa_code, sex, patients)
		SELECT DATE '2024-01-01', 'P' || (k % 200), lsoa_code, 'ALL', 1500 FROM bench_lsoa`)
}

// TestEquityReachCountsPeopleOnce: reach counts people, not referrals — once in each
// stratum they were referred from, in each period and in 'all' — including people whose
// referrals come from areas in different strata.
func TestEquityReachCountsPeopleOnce(t *testing.T) {
	t.Parallel()
	tx := modeltest.OpenWithReference(t)
	lsoa := lsoaPerDecile(t, tx)
	for _, r := range []struct {
		id, person, date string
		decile           int
	}{
		{"A1", "A", "2024-01-10", 1}, {"A2", "A", "2024-02-10", 5}, // quintiles 1 and 3
		{"B1", "B", "2024-01-10", 1}, {"B2", "B", "2024-02-10", 2}, // quintile 1, deciles 1 and 2
		{"C1", "C", "2024-01-10", 3}, {"C2", "C", "2024-04-10", 3}, // quintile 2 in two periods
		{"D1", "D", "2024-01-10", 7}, {"D2", "D", "2024-03-10", 8}, // quintile 4, deciles 7 and 8
		{"E1", "E", "2024-01-10", 1}, {"E2", "E", "2024-01-20", 1}, // twice from one area
	} {
		modeltest.Exec(t, tx, `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, lsoa_code, sex, age)
			VALUES (?, ?, 'S1', 'P1', CAST(? AS DATE), ?, 'F', 40)`, r.id, r.person, r.date, lsoa[r.decile])
	}
	modeltest.Build(t, tx, modeltest.Params())
	want := []struct {
		period, dim, stratum string
		people               int64
	}{
		{"2024-Q1", "imd_quintile", "1", 3}, {"2024-Q1", "imd_quintile", "2", 1}, {"2024-Q1", "imd_quintile", "3", 1},
		{"2024-Q1", "imd_quintile", "4", 1}, {"2024-Q1", "imd_quintile", "5", 0},
		{"2024-Q1", "imd_decile", "1", 3}, {"2024-Q1", "imd_decile", "2", 1}, {"2024-Q1", "imd_decile", "5", 1},
		{"2024-Q1", "imd_decile", "7", 1}, {"2024-Q1", "imd_decile", "8", 1},
		{"2024-Q2", "imd_quintile", "2", 1}, {"2024-Q2", "imd_quintile", "1", 0},
		{"all", "imd_quintile", "1", 3}, {"all", "imd_quintile", "2", 1}, {"all", "imd_quintile", "3", 1},
		{"all", "imd_quintile", "4", 1}, {"all", "imd_decile", "3", 1}, {"all", "imd_decile", "8", 1},
	}
	for _, scheme := range []string{"S1", "ALL"} {
		for _, w := range want {
			if got := getStratum(t, tx, scheme, w.period, w.dim, w.stratum, "reach"); got.num != w.people {
				t.Errorf("%s %s %s %s: reach %d people, want %d", scheme, w.period, w.dim, w.stratum, got.num, w.people)
			}
		}
	}
}

// TestEquityReachIncremental: a night's referrals counted for their people only (from
// the last build's counts) give the reach a full count gives, for people who gain a
// stratum, keep theirs, or gain one while already referred from several.
func TestEquityReachIncremental(t *testing.T) {
	t.Parallel()
	tx := modeltest.OpenWithReference(t)
	lsoa := lsoaPerDecile(t, tx)
	night := func(file int, refs [][3]string) {
		modeltest.Exec(t, tx, `INSERT INTO ingested_files (file_id, kind) VALUES (?, 'referrals')`, file)
		for _, r := range refs {
			var decile int
			fmt.Sscan(r[2], &decile)
			modeltest.Exec(t, tx, `INSERT INTO referrals (referral_id, person_id, scheme_id, practice_code, referral_date, lsoa_code, sex, age, source_file_id)
				VALUES (?, ?, 'S1', 'P1', DATE '2024-01-10' + CAST(? AS INTEGER), ?, 'F', 40, ?)`, r[0], r[1], file, lsoa[decile], file)
		}
		modeltest.Build(t, tx, modeltest.Params())
	}
	// id, person, decile
	night(1, [][3]string{{"A1", "A", "1"}, {"A2", "A", "5"}, {"B1", "B", "1"}, {"C1", "C", "3"}, {"E1", "E", "2"}})
	night(2, [][3]string{
		{"A3", "A", "9"},  // several strata before, a new one now
		{"B2", "B", "6"},  // a second stratum
		{"C2", "C", "3"},  // the same stratum again
		{"D1", "D", "7"},  // someone new
		{"E2", "E", "1"},  // same quintile, another decile
		{"A4", "A", "10"}, // and another new one, same quintile as A3
	})
	var mode string
	var people int64
	if err := tx.QueryRow(`SELECT mode, rows_rebuilt FROM transform_state WHERE model = 'equity_strata'`).Scan(&mode, &people); err != nil {
		t.Fatal(err)
	}
	if mode != "incremental" || people != 5 {
		t.Fatalf("reach counted %s for %d people, want incremental for 5", mode, people)
	}
	modeltest.Exec(t, tx, `CREATE TEMP TABLE nightly_strata AS SELECT * FROM equity_strata`)
	p := modeltest.Params()
	p.FullRebuild = true
	modeltest.Build(t, tx, p)
	var a, b, reach int64
	if err := tx.QueryRow(`SELECT (SELECT count(*) FROM (SELECT * FROM nightly_strata EXCEPT ALL SELECT * FROM equity_strata)),
		(SELECT count(*) FROM (SELECT * FROM equity_strata EXCEPT ALL SELECT * FROM nightly_strata)),
		(SELECT sum(numerator) FROM equity_strata WHERE measure = 'reach' AND scheme_id = 'S1' AND period = 'all' AND dimension = 'imd_quintile')`).Scan(&a, &b, &reach); err != nil {
		t.Fatal(err)
	}
	if a != 0 || b != 0 {
		t.Errorf("equity_strata counted incrementally differs from a full count: %d rows only nightly, %d only full", a, b)
	}
	// A in quintiles 1, 3, 5; B in 1, 3; C in 2; D in 4; E in 1
	if reach != 8 {
		t.Errorf("S1 all-period quintile reach sums to %d people-strata, want 8", reach)
	}
}
