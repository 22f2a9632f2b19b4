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
	id := connectors.Ident
	stage := sqlTemplate("reference/deprivation_stage", struct{ Code, Rank, Decile, Score, RawRank, RawDecile string }{
		Code:    id(h.Code),
		Rank:    connectors.IntExpr(connectors.Clean(id(h.Rank))),
		Decile:  connectors.IntExpr(connectors.Clean(id(h.Decile))),
		Score:   score,
		RawRank: id(h.Rank), RawDecile: id(h.Decile),
	})
	if _, err := in.tx.ExecContext(ctx, stage); err != nil {
		return fmt.Errorf("%s: staging: %w", path, err)
	}
	res, err := in.tx.ExecContext(ctx, sqlFile("reference/deprivation_quarantine"), in.runID, fr.FileID, src.name, path)
	if err != nil {
		return fmt.Errorf("%s: quarantining: %w", path, err)
	}
	fr.Rejected, _ = res.RowsAffected()
	res, err = in.tx.ExecContext(ctx, sqlFile("reference/deprivation_delete_edition"), h.Edition)
	if err != nil {
		return fmt.Errorf("%s: replacing edition: %w", path, err)
	}
	fr.Replaced, _ = res.RowsAffected()
	res, err = in.tx.ExecContext(ctx, sqlFile("reference/deprivation_insert"), h.Edition, h.Vintage, fr.FileID)
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
	stage := sqlTemplate("reference/population_stage", struct {
		ExtractDate, Practice, Name, LSOA, Sex, Patients, RawDate, RawCount string
	}{
		ExtractDate: connectors.DateExpr(connectors.Clean(id(h.ExtractDate)), formats),
		Practice:    id(h.Practice),
		Name:        name,
		LSOA:        id(h.LSOA),
		Sex:         sex,
		Patients:    connectors.IntExpr(connectors.Clean(id(h.Count))),
		RawDate:     id(h.ExtractDate), RawCount: id(h.Count),
	})
	if _, err := in.tx.ExecContext(ctx, stage); err != nil {
		return fmt.Errorf("%s: staging: %w", path, err)
	}
	res, err := in.tx.ExecContext(ctx, sqlFile("reference/population_quarantine"), in.runID, fr.FileID, src.name, path)
	if err != nil {
		return fmt.Errorf("%s: quarantining: %w", path, err)
	}
	fr.Rejected, _ = res.RowsAffected()
	res, err = in.tx.ExecContext(ctx, sqlFile("reference/population_delete_extracts"))
	if err != nil {
		return fmt.Errorf("%s: replacing extract: %w", path, err)
	}
	fr.Replaced, _ = res.RowsAffected()
	res, err = in.tx.ExecContext(ctx, sqlFile("reference/population_insert"), fr.FileID)
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
		if err := in.tx.QueryRowContext(ctx, sqlFile("reference/deprivation_count_edition"), e.Name).Scan(&n); err != nil {
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
		if _, err := in.tx.ExecContext(ctx, sqlFile("files/set_path"), fr.Path, fr.FileID); err != nil {
			return out, fmt.Errorf("recording shipped file: %w", err)
		}
	}
	var n int64
	if err := in.tx.QueryRowContext(ctx, sqlFile("reference/lookup_count")).Scan(&n); err != nil {
		return out, fmt.Errorf("checking lsoa_lookup: %w", err)
	}
	if n == 0 {
		path, err := refdata.Materialize(in.workDir, refdata.LookupFile)
		if err != nil {
			return out, err
		}
		start := time.Now()
		if _, err := in.tx.ExecContext(ctx, sqlFile("reference/lookup_insert"), path); err != nil {
			return out, fmt.Errorf("loading the ONS LSOA lookup: %w", err)
		}
		in.log.Info().Str("source", "shipped:lookup").Int64("duration_ms", time.Since(start).Milliseconds()).Msg("loaded")
	}
	return out, nil
}
