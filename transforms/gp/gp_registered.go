package gp

// gp_registered, kept between runs. Folding the registered list onto every period's
// mid-point reads a row per registration and period (millions at a million referrals),
// yet what it reads changes seldom: the list is replaced when a new extract arrives, and
// the periods move once a period. So a build that finds the same inputs (the list's
// checksum, the periods, the deprivation and lookup, the ethnicity codelist, the schemes'
// practices and the SQL) keeps the table as it is.

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

// registeredSQL are the files whose text gp_registered is computed by.
var registeredSQL = []string{"gp_registered.sql", "int_gp_registrations.sql", "int_gp_periods.sql", "gp_age_at.sql",
	"queries/registered_inputs.sql"}

// buildRegistered builds gp_registered when its inputs changed since the last build, and
// records the build in transform_state.
func buildRegistered(ctx context.Context, tx model.Execer, env *model.Env) error {
	fp, err := registeredFingerprint(ctx, tx)
	if err != nil {
		return err
	}
	reason, err := registeredReason(ctx, tx, env.Params, fp)
	if err != nil {
		return err
	}
	mode, rows := "reused", int64(0)
	if reason != "" {
		body, err := files.ReadFile("gp_registered.sql")
		if err != nil {
			return fmt.Errorf("reading gp_registered: %w", err)
		}
		if rows, err = model.RunBuild(ctx, tx, registeredModel, []string{
			"CREATE OR REPLACE TABLE gp_registered AS " + string(body),
			"SELECT count(*) FROM gp_registered",
		}, nil); err != nil {
			return err
		}
		mode = "full: " + reason
	}
	record, err := model.Statement(files, "registered_state_record")
	if err != nil {
		return err
	}
	return model.RecordState(ctx, tx, registeredModel, record, registeredModel, fp, mode, rows,
		env.Params.DataEnd.Format(time.DateOnly))
}

// registeredReason says why gp_registered must be built, or "" when the table kept from
// the last build stands.
func registeredReason(ctx context.Context, tx model.Execer, p model.Params, fp string) (string, error) {
	state, err := model.Statement(files, "registered_state")
	if err != nil {
		return "", err
	}
	var oldFP sql.NullString
	err = tx.QueryRowContext(ctx, state, registeredModel).Scan(&oldFP)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("reading transform_state: %w", err)
	}
	found := err == nil
	have, err := model.TableExists(ctx, tx, registeredModel)
	if err != nil {
		return "", err
	}
	switch {
	case !found || !oldFP.Valid:
		return "first build", nil
	case !have:
		return "gp_registered missing", nil
	case p.FullRebuild:
		return "requested", nil
	case oldFP.String != fp:
		return "registered list, periods, deprivation, codelist, scheme practices or definition changed", nil
	}
	return "", nil
}

// registeredFingerprint changes whenever gp_registered would come out differently.
func registeredFingerprint(ctx context.Context, tx model.Execer) (string, error) {
	h := sha256.New()
	for _, name := range registeredSQL {
		b, err := files.ReadFile(name)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", name, err)
		}
		fmt.Fprintln(h, model.CanonicalSQL(string(b)))
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
