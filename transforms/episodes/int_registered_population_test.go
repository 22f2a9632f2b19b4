package episodes_test

import (
	"database/sql"
	"testing"

	"github.com/socrx/socrx/transforms/modeltest"
)

// TestRegisteredPopulation holds reach and practice variation to the one rule of design
// §3.4: SEX = ALL rows, else the male and female counts (as published, or as the loader
// keeps them summed), from the extract nearest the period's mid-point. Each case is a
// practice of its own, referring to a scheme of its own, in one build.
func TestRegisteredPopulation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		pop  []modeltest.Pop
		want int64 // registered patients of the practice in 2024-Q1
	}{
		{"all", []modeltest.Pop{{Extract: "2024-02-15", Sex: "ALL", Patients: 1000}}, 1000},
		{"all wins over sexes", []modeltest.Pop{{Extract: "2024-02-15", Sex: "ALL", Patients: 1000},
			{Extract: "2024-02-15", Sex: "MALE", Patients: 480}}, 1000},
		{"male and female as published", []modeltest.Pop{{Extract: "2024-02-15", Sex: "MALE", Patients: 480},
			{Extract: "2024-02-15", Sex: "FEMALE", Patients: 510}}, 990},
		{"male and female as loaded", []modeltest.Pop{{Extract: "2024-02-15", Sex: "MALE+FEMALE", Patients: 990}}, 990},
		{"nearest extract", []modeltest.Pop{{Extract: "2024-02-15", Sex: "ALL", Patients: 1000},
			{Extract: "2023-01-01", Sex: "ALL", Patients: 5000}, {Extract: "2024-11-01", Sex: "ALL", Patients: 7000}}, 1000},
	}
	var f modeltest.Timeline
	practice := func(i int) string { return "P" + string(rune('1'+i)) }
	for i, c := range cases {
		p := practice(i)
		f.AddRef(modeltest.Ref{ID: "r-" + p, Scheme: "S-" + p, Practice: p, Day: 10, LSOA: "E01000001"})
		for _, row := range c.pop {
			row.Practice = p
			f.Pop = append(f.Pop, row)
		}
	}
	tx := modeltest.BuildTimeline(t, f, modeltest.Params())
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := practice(i)
			var rate, reach sql.NullInt64
			if err := tx.QueryRow(`SELECT denominator FROM practice_variation WHERE scheme_id = ? AND period = '2024-Q1'
				AND practice_code = ? AND measure = 'referral_rate'`, "S-"+p, p).Scan(&rate); err != nil {
				t.Fatal(err)
			}
			if err := tx.QueryRow(`SELECT denominator FROM equity_strata WHERE scheme_id = ? AND period = '2024-Q1'
				AND dimension = 'imd_quintile' AND stratum = '1' AND measure = 'reach'`, "S-"+p).Scan(&reach); err != nil {
				t.Fatal(err)
			}
			if rate.Int64 != c.want || reach.Int64 != c.want {
				t.Errorf("referral rate denominator %v, reach denominator %v; want %d for both", rate, reach, c.want)
			}
		})
	}
}
