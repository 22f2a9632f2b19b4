package transforms

import (
	"database/sql"
	"testing"
)

// TestRegisteredPopulation holds reach and practice variation to the one rule of design
// §3.4: SEX = ALL rows, else the male and female counts (as published, or as the loader
// keeps them summed), from the extract nearest the period's mid-point.
func TestRegisteredPopulation(t *testing.T) {
	cases := []struct {
		name string
		pop  []contPop
		want int64 // registered patients of A81001 in 2024-Q1
	}{
		{"all", []contPop{{"2024-02-15", "A81001", "ALL", 1000}}, 1000},
		{"all wins over sexes", []contPop{{"2024-02-15", "A81001", "ALL", 1000}, {"2024-02-15", "A81001", "MALE", 480}}, 1000},
		{"male and female as published", []contPop{{"2024-02-15", "A81001", "MALE", 480}, {"2024-02-15", "A81001", "FEMALE", 510}}, 990},
		{"male and female as loaded", []contPop{{"2024-02-15", "A81001", "MALE+FEMALE", 990}}, 990},
		{"nearest extract", []contPop{{"2024-02-15", "A81001", "ALL", 1000}, {"2023-01-01", "A81001", "ALL", 5000},
			{"2024-11-01", "A81001", "ALL", 7000}}, 1000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f contFixture
			f.ref(contRef{id: "r1", day: 10, lsoa: "E01000001"})
			f.pop = c.pop
			tx := contBuild(t, f, contParams())
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
