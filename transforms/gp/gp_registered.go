package gp

// gp_registered, kept between runs. Folding the registered list onto every period's
// mid-point reads a row per registration and period (millions at a million referrals),
// yet what it reads changes seldom: the list is replaced when a new extract arrives, and
// a period is added once a period. So a build that finds the same inputs (the list's
// checksum, the deprivation and lookup, the ethnicity codelist, the schemes' practices
// and local cuts, and the SQL) keeps the table, adding the periods completed since (and
// redoing 'all', whose mid-point moves with them) and dropping those no longer complete
// (data_end moved back).

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/socrx/socrx/transforms/model"
)

const registeredModel = "gp_registered"

const registrationsModel = "gp_registrations"

// registeredSQL are the files whose text gp_registered is computed by; registrationsSQL
// gp_registrations'.
var (
	registeredSQL = []string{"gp_registered.sql", "int_gp_registrations.sql", "int_gp_periods.sql", "gp_age_at.sql",
		"queries/registered_inputs.sql", "queries/registered_periods.sql", "queries/registered_new_periods.sql"}
	registrationsSQL = []string{"int_gp_registrations.sql", "queries/registered_inputs.sql"}
)

// buildRegistrations keeps gp_registrations, the registered list with the strata of
// int_gp_registrations worked out once (deprivation, sex, birth month, ethnic group):
// rebuilt when what it reads changes, so the nightly models read a stored table rather
// than resolving every registration again.
func buildRegistrations(ctx context.Context, tx model.Execer, env *model.Env) error {
	fp, err := keptFingerprint(ctx, tx, registrationsSQL)
	if err != nil {
		return err
	}
	reason, err := keptReason(ctx, tx, env.Params, registrationsModel, fp)
	if err != nil {
		return err
	}
	mode, rows := "reused", int64(0)
	if reason != "" {
		mode = "full: " + reason
		if rows, err = model.RunBuild(ctx, tx, registrationsModel, []string{
			"CREATE OR REPLACE TABLE gp_registrations AS SELECT * FROM int_gp_registrations",
			"SELECT count(*) FROM gp_registrations",
		}, nil); err != nil {
			return err
		}
	}
	record, err := model.Statement(files, "registered_state_record")
	if err != nil {
		return err
	}
	return model.RecordState(ctx, tx, registrationsModel, record, registrationsModel, fp, mode, rows,
		env.Params.DataEnd.Format(time.DateOnly))
}

// buildRegistered builds gp_registered whole when its inputs changed since the last
// build, else the periods it lacks, and records the build in transform_state.
func buildRegistered(ctx context.Context, tx model.Execer, env *model.Env) error {
	fp, err := keptFingerprint(ctx, tx, registeredSQL)
	if err != nil {
		return err
	}
	reason, err := keptReason(ctx, tx, env.Params, registeredModel, fp)
	if err != nil {
		return err
	}
	body, err := files.ReadFile("gp_registered.sql")
	if err != nil {
		return fmt.Errorf("reading gp_registered: %w", err)
	}
	mode, rows := "reused", int64(0)
	var stmts []string
	if reason != "" {
		mode = "full: " + reason
		stmts = []string{
			"CREATE OR REPLACE TEMP VIEW gp_registered_periods AS SELECT * FROM int_gp_periods",
			"CREATE OR REPLACE TABLE gp_registered AS " + string(body),
			"SELECT count(*) FROM gp_registered",
		}
	} else {
		q, err := model.Statement(files, "registered_periods")
		if err != nil {
			return err
		}
		var added, gone int64
		if err := tx.QueryRowContext(ctx, q).Scan(&added, &gone); err != nil {
			return fmt.Errorf("planning gp_registered: %w", err)
		}
		if added+gone > 0 {
			view, err := model.Statement(files, "registered_new_periods")
			if err != nil {
				return err
			}
			mode = "incremental"
			stmts = []string{
				view,
				"DELETE FROM gp_registered WHERE period = 'all' OR period NOT IN (SELECT period FROM int_gp_periods)",
				"INSERT INTO gp_registered SELECT * FROM (" + string(body) + "\n)",
				"SELECT count(*) FROM gp_registered WHERE period IN (SELECT period FROM gp_registered_periods)",
			}
		}
	}
	if len(stmts) > 0 {
		if rows, err = model.RunBuild(ctx, tx, registeredModel, stmts, []string{"DROP VIEW gp_registered_periods"}); err != nil {
			return err
		}
	}
	record, err := model.Statement(files, "registered_state_record")
	if err != nil {
		return err
	}
	return model.RecordState(ctx, tx, registeredModel, record, registeredModel, fp, mode, rows,
		env.Params.DataEnd.Format(time.DateOnly))
}

// keptReason says why a kept table (gp_registrations, gp_registered) must be built
// whole, or "" when the table kept from the last build stands.
func keptReason(ctx context.Context, tx model.Execer, p model.Params, name, fp string) (string, error) {
	state, err := model.Statement(files, "registered_state")
	if err != nil {
		return "", err
	}
	var oldFP sql.NullString
	err = tx.QueryRowContext(ctx, state, name).Scan(&oldFP)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("reading transform_state: %w", err)
	}
	found := err == nil
	have, err := model.TableExists(ctx, tx, name)
	if err != nil {
		return "", err
	}
	switch {
	case !found || !oldFP.Valid:
		return "first build", nil
	case !have:
		return name + " missing", nil
	case p.FullRebuild:
		return "requested", nil
	case oldFP.String != fp:
		return "registered list, deprivation, codelist, scheme practices or cuts, or definition changed", nil
	}
	return "", nil
}

// keptFingerprint changes whenever a kept table computed by the SQL files sqlFiles would
// come out differently: with their text or what they read (queries/registered_inputs.sql).
func keptFingerprint(ctx context.Context, tx model.Execer, sqlFiles []string) (string, error) {
	h := sha256.New()
	if err := model.WriteCanonical(h, files, sqlFiles...); err != nil {
		return "", err
	}
	q, err := model.Statement(files, "registered_inputs")
	if err != nil {
		return "", err
	}
	var inputs string
	if err := tx.QueryRowContext(ctx, q).Scan(&inputs); err != nil {
		return "", fmt.Errorf("reading gp_registered's inputs: %w", err)
	}
	fmt.Fprintln(h, inputs)
	return hex.EncodeToString(h.Sum(nil)), nil
}
