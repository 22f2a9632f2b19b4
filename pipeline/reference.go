package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/socrx/socrx/connectors"
	"github.com/socrx/socrx/connectors/refdata"
)

// readRaw materialises a small reference file as TEMP TABLE raw_file (all VARCHAR, plus
// _line) and returns its layout.
func (in *ingester) readRaw(ctx context.Context, src source, path string) (connectors.Layout, error) {
	l, err := in.layout(ctx, src, path)
	if err != nil {
		return l, err
	}
	if _, err := in.tx.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE raw_file AS SELECT "+l.LineExpr()+" AS _line, * FROM "+l.ReadSQL()); err != nil {
		return l, readError(path, err)
	}
	return l, nil
}

// loadDeprivation loads a published IoD file; it replaces that edition's rows.
func (in *ingester) loadDeprivation(ctx context.Context, src source, path string, fr *FileResult) error {
	l, err := in.readRaw(ctx, src, path)
	if err != nil {
		return err
	}
	h, err := connectors.RecogniseIoD(l)
	if err != nil {
		return err
	}
	score := "NULL::DOUBLE"
	if h.Score != "" {
		score = fmt.Sprintf("TRY_CAST(replace(trim(%s), ',', '') AS DOUBLE)", connectors.Ident(h.Score))
	}
	stage := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE stg_dep AS
		SELECT _line, upper(trim(%s)) AS lsoa_code, %s AS imd_rank, %s AS imd_decile, %s AS imd_score,
			%s AS r_rank, %s AS r_decile
		FROM raw_file`, connectors.Ident(h.Code), connectors.IntExpr(connectors.Clean(connectors.Ident(h.Rank))),
		connectors.IntExpr(connectors.Clean(connectors.Ident(h.Decile))), score, connectors.Ident(h.Rank), connectors.Ident(h.Decile))
	if _, err := in.tx.ExecContext(ctx, stage); err != nil {
		return fmt.Errorf("%s: staging: %w", path, err)
	}
	res, err := in.tx.ExecContext(ctx, `INSERT INTO quarantine (run_id, file_id, source, file, line, "column", value, reason)
		SELECT ?, ?, ?, ?, _line,
			CASE WHEN lsoa_code IS NULL OR lsoa_code = '' THEN 'lsoa_code' WHEN imd_rank IS NULL OR imd_rank < 1 THEN 'imd_rank' ELSE 'imd_decile' END,
			CASE WHEN lsoa_code IS NULL OR lsoa_code = '' THEN NULL WHEN imd_rank IS NULL OR imd_rank < 1 THEN r_rank ELSE r_decile END,
			'bad_deprivation_value'
		FROM stg_dep WHERE lsoa_code IS NULL OR lsoa_code = '' OR imd_rank IS NULL OR imd_rank < 1 OR imd_decile NOT BETWEEN 1 AND 10 OR imd_decile IS NULL
		ORDER BY _line`, in.runID, fr.FileID, src.name, path)
	if err != nil {
		return fmt.Errorf("%s: quarantining: %w", path, err)
	}
	fr.Rejected, _ = res.RowsAffected()
	res, err = in.tx.ExecContext(ctx, `DELETE FROM deprivation WHERE edition = ?`, h.Edition)
	if err != nil {
		return fmt.Errorf("%s: replacing edition: %w", path, err)
	}
	fr.Replaced, _ = res.RowsAffected()
	res, err = in.tx.ExecContext(ctx, `INSERT INTO deprivation
		SELECT ?, lsoa_code, ?, imd_rank, imd_decile, CAST((imd_decile + 1) // 2 AS INTEGER), imd_score, ?
		FROM stg_dep WHERE lsoa_code <> '' AND imd_rank >= 1 AND imd_decile BETWEEN 1 AND 10 ORDER BY _line`,
		h.Edition, h.Vintage, fr.FileID)
	if err != nil {
		return fmt.Errorf("%s: loading: %w", path, err)
	}
	fr.Loaded, _ = res.RowsAffected()
	return nil
}

// loadPopulation loads an NHS England registered-patients-by-LSOA file. SEX = ALL rows are
// used; where a file has none, MALE and FEMALE are summed. Rows of the same extract date
// loaded earlier are replaced (a republished file).
func (in *ingester) loadPopulation(ctx context.Context, src source, path string, fr *FileResult) error {
	l, err := in.readRaw(ctx, src, path)
	if err != nil {
		return err
	}
	h, err := connectors.RecognisePopulation(l)
	if err != nil {
		return err
	}
	formats := append(append([]string{}, src.mapping.DateFormats...), "%d%b%Y", "%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y")
	id := connectors.Ident
	name, sex := "NULL::VARCHAR", "'ALL'"
	if h.PracticeName != "" {
		name = "trim(" + id(h.PracticeName) + ")"
	}
	if h.Sex != "" {
		sex = "upper(trim(" + id(h.Sex) + "))"
	}
	stage := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE stg_pop AS
		SELECT _line, %s AS extract_date, upper(trim(%s)) AS practice_code, %s AS practice_name,
			upper(trim(%s)) AS lsoa_code, %s AS sex, %s AS patients,
			%s AS r_date, %s AS r_count
		FROM raw_file`, connectors.DateExpr(connectors.Clean(id(h.ExtractDate)), formats), id(h.Practice), name,
		id(h.LSOA), sex, connectors.IntExpr(connectors.Clean(id(h.Count))), id(h.ExtractDate), id(h.Count))
	if _, err := in.tx.ExecContext(ctx, stage); err != nil {
		return fmt.Errorf("%s: staging: %w", path, err)
	}
	res, err := in.tx.ExecContext(ctx, `INSERT INTO quarantine (run_id, file_id, source, file, line, "column", value, reason)
		SELECT ?, ?, ?, ?, _line,
			CASE WHEN extract_date IS NULL THEN 'EXTRACT_DATE' WHEN practice_code IS NULL OR practice_code = '' THEN 'PRACTICE_CODE' ELSE 'NUMBER_OF_PATIENTS' END,
			CASE WHEN extract_date IS NULL THEN r_date WHEN practice_code IS NULL OR practice_code = '' THEN NULL ELSE r_count END,
			CASE WHEN extract_date IS NULL THEN 'bad_date' WHEN practice_code IS NULL OR practice_code = '' THEN 'missing_value' ELSE 'bad_count' END
		FROM stg_pop WHERE extract_date IS NULL OR practice_code IS NULL OR practice_code = '' OR patients IS NULL OR patients < 0
		ORDER BY _line`, in.runID, fr.FileID, src.name, path)
	if err != nil {
		return fmt.Errorf("%s: quarantining: %w", path, err)
	}
	fr.Rejected, _ = res.RowsAffected()
	res, err = in.tx.ExecContext(ctx, `DELETE FROM population WHERE extract_date IN (SELECT DISTINCT extract_date FROM stg_pop WHERE extract_date IS NOT NULL)`)
	if err != nil {
		return fmt.Errorf("%s: replacing extract: %w", path, err)
	}
	fr.Replaced, _ = res.RowsAffected()
	res, err = in.tx.ExecContext(ctx, `INSERT INTO population
		WITH good AS (
			SELECT * FROM stg_pop WHERE extract_date IS NOT NULL AND practice_code <> '' AND patients >= 0
		),
		has_all AS (SELECT DISTINCT extract_date FROM good WHERE sex = 'ALL')
		SELECT extract_date, practice_code, any_value(practice_name), coalesce(lsoa_code, 'CLOSED'),
			CASE WHEN extract_date IN (SELECT extract_date FROM has_all) THEN 'ALL' ELSE 'MALE+FEMALE' END, sum(patients), ?
		FROM good
		WHERE sex = 'ALL' OR (extract_date NOT IN (SELECT extract_date FROM has_all) AND sex IN ('MALE', 'FEMALE'))
		GROUP BY extract_date, practice_code, coalesce(lsoa_code, 'CLOSED'), 5
		ORDER BY 1, 2, 4`, fr.FileID)
	if err != nil {
		return fmt.Errorf("%s: loading: %w", path, err)
	}
	fr.Loaded, _ = res.RowsAffected()
	return nil
}

// loadShippedReference loads the shipped IoD editions and the ONS lookup when the
// database lacks them, so that sources.deprivation is optional.
func (in *ingester) loadShippedReference(ctx context.Context) ([]FileResult, error) {
	var out []FileResult
	for _, e := range refdata.Editions() {
		var n int64
		if err := in.tx.QueryRowContext(ctx, `SELECT count(*) FROM deprivation WHERE edition = ?`, e.Name).Scan(&n); err != nil {
			return out, fmt.Errorf("checking deprivation: %w", err)
		}
		if n > 0 {
			continue
		}
		path, err := refdata.Materialize(in.workDir, e.File)
		if err != nil {
			return out, err
		}
		src := source{kind: "deprivation", name: "shipped:" + e.Name, pattern: path, format: "csv", mode: "replace", delim: ','}
		fr, err := in.loadFile(ctx, &pending{src: src, path: path})
		fr.Path = "shipped:" + e.File
		out = append(out, fr)
		if err != nil {
			return out, err
		}
		if _, err := in.tx.ExecContext(ctx, `UPDATE ingested_files SET path = ? WHERE file_id = ?`, fr.Path, fr.FileID); err != nil {
			return out, fmt.Errorf("recording shipped file: %w", err)
		}
	}
	var n int64
	if err := in.tx.QueryRowContext(ctx, `SELECT count(*) FROM lsoa_lookup`).Scan(&n); err != nil {
		return out, fmt.Errorf("checking lsoa_lookup: %w", err)
	}
	if n == 0 {
		path, err := refdata.Materialize(in.workDir, refdata.LookupFile)
		if err != nil {
			return out, err
		}
		start := time.Now()
		if _, err := in.tx.ExecContext(ctx, `INSERT INTO lsoa_lookup SELECT LSOA11CD, LSOA21CD, CHGIND, LAD22CD
			FROM read_csv(?, header = true, auto_detect = false, delim = ',', quote = '"',
			columns = {'LSOA11CD': 'VARCHAR', 'LSOA21CD': 'VARCHAR', 'CHGIND': 'VARCHAR', 'LAD22CD': 'VARCHAR'})`, path); err != nil {
			return out, fmt.Errorf("loading the ONS LSOA lookup: %w", err)
		}
		in.log.Info().Str("source", "shipped:lookup").Int64("duration_ms", time.Since(start).Milliseconds()).Msg("loaded")
	}
	return out, nil
}
