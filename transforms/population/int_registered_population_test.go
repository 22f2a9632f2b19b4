package population_test

import (
	"database/sql"
	"testing"

	"github.com/socrx/socrx/transforms/modeltest"
)

// TestRegisteredPopulation holds reach and practice variation to the one rule of design
// §3.4: SEX = ALL rows, else the male and female counts (as published, or as the loader
// keeps them summed), from the extract nearest the period's mid-point.
func TestRegisteredPopulation(t *testing.T) {
	cases := []struct {
		name string
		pop  []modeltest.Pop
		want int64 // registered patients of A81001 in 2024-Q1
	}{
		{"all", []modeltest.Pop{{Extract: "2024-02-15", Practice: "A81001", Sex: "ALL", Patients: 1000}}, 1000},
		{"all wins over sexes", []modeltest.Pop{{Extract: "2024-02-15", Practice: "A81001", Sex: "ALL", Patients: 1000}, {Extract: "2024-02-15", Practice: "A81001", Sex: "MALE", Patients: 480}}, 1000},
		{"male and female as published", []modeltest.Pop{{Extract: "2024-02-15", Practice: "A81001", Sex: "MALE", Patients: 480}, {Extract: "2024-02-15", Practice: "A81001", Sex: "FEMALE", Patients: 510}}, 990},
		{"male and female as loaded", []modeltest.Pop{{Extract: "2024-02-15", Practice: "A81001", Sex: "MALE+FEMALE", Patients: 990}}, 990},
		{"nearest extract", []modeltest.Pop{{Extract: "2024-02-15", Practice: "A81001", Sex: "ALL", Patients: 1000}, {Extract: "2023-01-01", Practice: "A81001", Sex: "ALL", Patients: 5000},
			{Extract: "2024-11-01", Practice: "A81001", Sex: "ALL", Patients: 7000}}, 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f modeltest.Timeline
			f.AddRef(modeltest.Ref{ID: "r1", Day: 10, LSOA: "E01000001"})
			f.Pop = c.pop
			tx := modeltest.BuildTimeline(t, f, modeltest.Params())
			var rate, reach sql.NullInt64
			if err := tx.QueryRow(`SELECT denominator FROM practice_variation WHERE scheme_id = 'S1' AND period = '2024-Q1'
				AND practice_code = 'A81001' AND measure = 'referral_rate'`).Scan(&rate); err != nil {
				t.Fatal(err)
			}
			if err := tx.QueryRow(`SELECT denominator FROM equity_strata WHERE scheme_id = 'S1' AND period = '2024-Q1'
				AND dimension = 'imd_quintile' AND stratum = '1' AND measure = 'reach'`).Scan(&reach); err != nil {
				t.Fatal(err)
			}
			if rate.Int64 != c.want || reach.Int64 != c.want {
				t.Errorf("referral rate denominator %v, reach denominator %v; want %d for both", rate, reach, c.want)
			}
		})
	}
}
