package pipeline_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/socrx/socrx/config"
	"github.com/socrx/socrx/pipeline"
)

// BenchmarkIngest loads N referrals and 10N attendances from CSV (N from
// SOCRX_BENCH_REFERRALS, default 1,000,000) with socrx, and the same files with a bare
// DuckDB CREATE TABLE AS SELECT … FROM read_csv(…) with the same explicit types, and
// reports both wall times and peak RSS:
//
//	go test ./pipeline -run '^$' -bench Ingest -benchtime 1x
func BenchmarkIngest(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("SOCRX_BENCH_REFERRALS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	dir := b.TempDir()
	if err := writeBenchExtracts(dir, n); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		resetPeakRSS()
		start := time.Now()
		bare, err := bareLoad(dir, i)
		if err != nil {
			b.Fatal(err)
		}
		bareTime, barePeak := time.Since(start), peakRSS()
		resetPeakRSS()
		start = time.Now()
		cfg, err := config.Parse([]byte(fmt.Sprintf(`database: db%d/socrx.duckdb
sources:
  referrals:   { path: "referrals.csv" }
  attendances: { path: "attendances.csv" }
`, i)), filepath.Join(dir, "socrx.yaml"))
		if err != nil {
			b.Fatal(err)
		}
		r := &pipeline.Runner{Cfg: cfg, Log: zerolog.Nop(), Version: "bench"}
		rec, err := r.Run(context.Background(), pipeline.RunSpec{Job: "bench", Trigger: pipeline.TriggerManual,
			Logical: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Steps: []string{"ingest"}})
		if err != nil {
			b.Fatal(err)
		}
		ours, ourPeak := time.Since(start), peakRSS()
		if loaded := rec.Steps[0].Rows["loaded"]; loaded < bare {
			b.Fatalf("socrx loaded %d rows, bare %d", loaded, bare)
		}
		b.ReportMetric(bareTime.Seconds(), "bare_s")
		b.ReportMetric(ours.Seconds(), "socrx_s")
		b.ReportMetric(ours.Seconds()/bareTime.Seconds(), "ratio")
		b.ReportMetric(float64(barePeak)/1024, "bare_peak_MB")
		b.ReportMetric(float64(ourPeak)/1024, "socrx_peak_MB")
	}
}

// writeBenchExtracts has DuckDB write the extracts (fast and deterministic).
func writeBenchExtracts(dir string, n int) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	stmts := []string{
		fmt.Sprintf(`COPY (SELECT 'R' || lpad(i::VARCHAR, 8, '0') AS referral_id, 'P' || (i // 2)::VARCHAR AS person_id,
			'S' || (i %% 3 + 1)::VARCHAR AS scheme_id, 'A8' || lpad((i %% 200)::VARCHAR, 4, '0') AS practice_code,
			strftime(DATE '2023-01-01' + (i %% 700)::INTEGER, '%%d/%%m/%%Y') AS referral_date, 'gp' AS referral_source,
			'isolation' AS referral_reason, 'accepted' AS outcome, NULL AS closed_date,
			'E0100' || lpad((i %% 3000 + 1)::VARCHAR, 4, '0') AS lsoa_code, CASE WHEN i %% 2 = 0 THEN 'F' ELSE 'M' END AS sex,
			(18 + i %% 70)::VARCHAR AS age, 'A' AS ethnic_category
			FROM range(%d) t(i)) TO '%s' (HEADER)`, n, filepath.Join(dir, "referrals.csv")),
		fmt.Sprintf(`COPY (SELECT 'A' || lpad(i::VARCHAR, 9, '0') AS attendance_id, 'R' || lpad((i // 10)::VARCHAR, 8, '0') AS referral_id,
			strftime(DATE '2023-01-01' + (((i // 10) %% 700) + (i %% 10) * 7)::INTEGER, '%%d/%%m/%%Y') AS attendance_date,
			CASE WHEN i %% 10 < 8 THEN 'link_worker' ELSE 'vcs' END AS setting,
			CASE WHEN i %% 7 = 0 THEN 'dna' ELSE 'attended' END AS status,
			CASE WHEN i %% 10 < 8 THEN 'W' || (i %% 13)::VARCHAR END AS worker_id,
			CASE WHEN i %% 10 >= 8 THEN 'V' || (i %% 5)::VARCHAR END AS provider_id,
			NULL AS activity_category, 'telephone' AS mode
			FROM range(%d) t(i)) TO '%s' (HEADER)`, 10*n, filepath.Join(dir, "attendances.csv")),
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			return err
		}
	}
	return nil
}

// bareLoad is the baseline: DuckDB's reader straight into tables, explicit types.
func bareLoad(dir string, i int) (int64, error) {
	db, err := sql.Open("duckdb", filepath.Join(dir, fmt.Sprintf("bare%d.duckdb", i)))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	opts := `header = true, auto_detect = false, delim = ',', quote = '"', escape = '"', dateformat = '%d/%m/%Y'`
	stmts := []string{
		`CREATE TABLE referrals AS SELECT * FROM read_csv('` + filepath.Join(dir, "referrals.csv") + `', ` + opts + `, columns = {
			'referral_id': 'VARCHAR', 'person_id': 'VARCHAR', 'scheme_id': 'VARCHAR', 'practice_code': 'VARCHAR',
			'referral_date': 'DATE', 'referral_source': 'VARCHAR', 'referral_reason': 'VARCHAR', 'outcome': 'VARCHAR',
			'closed_date': 'DATE', 'lsoa_code': 'VARCHAR', 'sex': 'VARCHAR', 'age': 'INTEGER', 'ethnic_category': 'VARCHAR'})`,
		`CREATE TABLE attendances AS SELECT * FROM read_csv('` + filepath.Join(dir, "attendances.csv") + `', ` + opts + `, columns = {
			'attendance_id': 'VARCHAR', 'referral_id': 'VARCHAR', 'attendance_date': 'DATE', 'setting': 'VARCHAR',
			'status': 'VARCHAR', 'worker_id': 'VARCHAR', 'provider_id': 'VARCHAR', 'activity_category': 'VARCHAR', 'mode': 'VARCHAR'})`,
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			return 0, err
		}
	}
	var rows int64
	err = db.QueryRow(`SELECT (SELECT count(*) FROM referrals) + (SELECT count(*) FROM attendances)`).Scan(&rows)
	return rows, err
}

// resetPeakRSS clears the kernel's high-water mark so each phase reports its own peak.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns VmHWM in KiB.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmHWM:") {
			v, _ := strconv.ParseInt(strings.Fields(sc.Text())[1], 10, 64)
			return v
		}
	}
	return 0
}
