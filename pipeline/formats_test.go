package pipeline_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// TestRealWorldFormats loads files as they arrive in practice: an Excel CR-only IoD export
// with quoted thousands, a BOM + CRLF copy, a second referral platform with mapped
// headers, values and several date formats, and NHS England population files.
func TestRealWorldFormats(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `database: db/socrx.duckdb
sources:
  referrals:
    - { path: "extracts/referrals_0.csv", scheme_id: S1 }
    - path: "extracts/platform_b.csv"
      date_format: ["%Y-%m-%d", "%d-%b-%Y"]
      scheme_id: S2
      columns: { referral_id: "Referral Ref", person_id: Patient, practice_code: Practice,
                 referral_date: "Date Referred", referral_source: Source, sex: Gender, lsoa_code: LSOA }
      values:
        referral_source: { "Self referral": self }
        sex: { Female: F, Male: M }
  attendances: { path: "extracts/attendances_0.csv" }
  deprivation: { path: "extracts/imd2019_file1_excel.csv" }
  population:  { path: "extracts/gp-reg-pat-prac-lsoa*.csv" }
`)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	f.put("formats/referrals_platform_b.csv", "platform_b.csv")
	f.put("formats/imd2019_file1_excel.csv", "imd2019_file1_excel.csv")
	f.put("formats/gp-reg-pat-prac-lsoa-all.csv", "gp-reg-pat-prac-lsoa-all.csv")
	f.put("formats/gp-reg-pat-prac-lsoa-male-female.csv", "gp-reg-pat-prac-lsoa-mf.csv")
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		want int64
	}{
		{"SELECT count(*) FROM referrals WHERE scheme_id = 'S2' AND source = 'referrals[1]'", 2},
		{"SELECT count(*) FROM referrals WHERE referral_id = 'B001' AND referral_date = DATE '2024-01-05' AND referral_source = 'gp' AND sex = 'F' AND age = 62", 1},
		{"SELECT count(*) FROM referrals WHERE referral_id = 'B002' AND referral_date = DATE '2024-02-03' AND referral_source = 'self' AND sex = 'M'", 1},
		{"SELECT count(*) FROM quarantine", 0},
		// the configured IoD2019 file replaces the shipped edition; IoD2025 still ships
		{"SELECT count(*) FROM deprivation WHERE edition = 'IoD2019'", 3},
		{"SELECT imd_rank FROM deprivation WHERE edition = 'IoD2019' AND lsoa_code = 'E01000001'", 29199},
		{"SELECT imd_rank FROM deprivation WHERE edition = 'IoD2019' AND lsoa_code = 'E01012011'", 1234},
		{"SELECT count(*) FROM deprivation WHERE edition = 'IoD2025'", 33755},
		{"SELECT patients FROM population WHERE extract_date = DATE '2024-04-01' AND practice_code = 'A81001' AND lsoa_code = 'E01012011'", 1204},
		{"SELECT patients FROM population WHERE lsoa_code = 'CLOSED'", 3},
		{"SELECT patients FROM population WHERE extract_date = DATE '2021-01-04'", 1010},
		{"SELECT count(*) FROM population", 4},
	} {
		if got := f.count(c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}
}

// TestBOMDeprivation reads the BOM + CRLF variant of the Excel export.
func TestBOMDeprivation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `database: db/socrx.duckdb
sources:
  referrals:   { path: "extracts/referrals*.csv" }
  attendances: { path: "extracts/attendances*.csv" }
  deprivation: { path: "extracts/imd.csv" }
`)
	f.put("good/referrals.csv", "referrals_0.csv")
	f.put("good/attendances.csv", "attendances_0.csv")
	f.put("formats/imd2019_file1_bom.csv", "imd.csv")
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	if got := f.count("SELECT sum(imd_rank) FROM deprivation WHERE edition = 'IoD2019'"); got != 29199+1234+15000 {
		t.Errorf("sum of ranks = %d", got)
	}
}

// TestCorrectionsAndReplace: an append source's later file replaces rows by id; a replace
// source's newest file deletes ids it no longer holds, with their attendances.
func TestCorrectionsAndReplace(t *testing.T) {
	t.Parallel()
	t.Run("append corrects", func(t *testing.T) {
		t.Parallel()
		f := baseline(t)
		write(t, f, "referrals_1.csv", "referral_id,person_id,scheme_id,practice_code,referral_date,outcome,lsoa_code\nR002,P002,S1,A81001,10/01/2024,closed,E01000001\n")
		rec, err := f.ingest()
		if err != nil {
			t.Fatal(err)
		}
		if got := f.count("SELECT count(*) FROM referrals WHERE referral_id = 'R002' AND outcome = 'closed'"); got != 1 {
			t.Errorf("corrected rows = %d, want 1", got)
		}
		if got := f.count("SELECT count(*) FROM referrals"); got != 4 {
			t.Errorf("referrals = %d, want 4", got)
		}
		if got := f.count("SELECT rows_replaced FROM ingested_files WHERE path LIKE '%referrals_1.csv'"); got != 1 {
			t.Errorf("rows_replaced = %d, want 1", got)
		}
		_ = rec
	})
	t.Run("replace deletes", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, `database: db/socrx.duckdb
sources:
  referrals:   { path: "extracts/referrals*.csv", mode: replace }
  attendances: { path: "extracts/attendances*.csv" }
`)
		f.put("good/referrals.csv", "referrals_0.csv")
		f.put("good/attendances.csv", "attendances_0.csv")
		if _, err := f.ingest(); err != nil {
			t.Fatal(err)
		}
		// R001 opted out: the next full extract lacks it.
		b, _ := os.ReadFile(filepath.Join("testdata", "good", "referrals.csv"))
		lines := splitLines(string(b))
		var kept []string
		for _, l := range lines {
			if len(l) < 4 || l[:4] != "R001" {
				kept = append(kept, l)
			}
		}
		write(t, f, "referrals_1.csv", joinLines(kept))
		if _, err := f.ingest(); err != nil {
			t.Fatal(err)
		}
		if got := f.count("SELECT count(*) FROM referrals"); got != 3 {
			t.Errorf("referrals = %d, want 3", got)
		}
		if got := f.count("SELECT count(*) FROM attendances WHERE referral_id = 'R001'"); got != 0 {
			t.Errorf("attendances of the erased referral = %d, want 0", got)
		}
		if got := f.count("SELECT count(*) FROM ingested_files WHERE superseded"); got != 1 {
			t.Errorf("superseded files = %d, want 1", got)
		}
		if got := f.count("SELECT rows_deleted FROM ingested_files WHERE path LIKE '%referrals_1.csv'"); got != 1+4 {
			t.Errorf("rows_deleted = %d, want 5 (one referral, four attendances)", got)
		}
	})
}

func write(t *testing.T, f *fixture, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, "extracts", name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func joinLines(ls []string) string {
	out := ""
	for _, l := range ls {
		out += l + "\n"
	}
	return out
}

// TestParquetSource loads referrals from Parquet (typed dates, file row numbers) with the
// same validation as CSV.
func TestParquetSource(t *testing.T) {
	t.Parallel()
	f := newFixture(t, `database: db/socrx.duckdb
sources:
  referrals:   { path: "extracts/referrals.parquet" }
  attendances: { path: "extracts/attendances*.csv" }
`)
	f.put("good/attendances.csv", "attendances_0.csv")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	src := filepath.Join("testdata", "good", "referrals.csv")
	dst := filepath.Join(f.dir, "extracts", "referrals.parquet")
	if _, err := db.Exec(`COPY (SELECT * REPLACE (strptime(referral_date, '%d/%m/%Y')::DATE AS referral_date)
		FROM read_csv(?, all_varchar = true) UNION ALL
		SELECT 'R005', 'P005', 'S1', 'A81001', DATE '2099-01-01', 'gp', NULL, 'pending', NULL, 'E01000001', 'F', '50', 'A')
		TO '`+dst+`' (FORMAT parquet)`, src); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ingest(); err != nil {
		t.Fatal(err)
	}
	if got := f.count("SELECT count(*) FROM referrals"); got != 4 {
		t.Errorf("referrals = %d, want 4", got)
	}
	if got := f.count("SELECT line FROM quarantine WHERE reason = 'future_date' AND \"column\" = 'referral_date'"); got != 6 {
		t.Errorf("future-dated Parquet row quarantined at line %d, want 6", got)
	}
	if got := f.count("SELECT count(*) FROM attendances"); got != 5 {
		t.Errorf("attendances = %d, want 5", got)
	}
}
