// Package modeltest is what the tests of the transform models share: a real in-memory
// DuckDB with the core schema (and, when asked, the shipped IoD2019 and ONS lookup
// files), a build of every model, a timeline fixture of referrals and attendances
// (timeline.go), and the case-directory runner (cases.go).
package modeltest

import (
	"context"
	"database/sql"
	"embed"
	"strings"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the driver the tests open

	"github.com/socrx/socrx/connectors/refdata"
	"github.com/socrx/socrx/transforms"
	"github.com/socrx/socrx/transforms/model"
)

//go:embed queries/*.sql
var queries embed.FS

// Execer runs a statement: a database or a transaction.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Open returns a fresh in-memory DuckDB with the core and meta tables.
func Open(t testing.TB) *sql.DB {
	t.Helper()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func open() (*sql.DB, error) {
	// one worker thread: the packages' tests open many databases at once on few cores
	db, err := sql.Open("duckdb", "?threads=1")
	if err != nil {
		return nil, err
	}
	schema, err := transforms.Schema()
	if err == nil {
		_, err = db.ExecContext(context.Background(), schema)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// OpenWithReference is Open with the shipped IoD2019 file in deprivation (quintile =
// (decile + 1) // 2) and the ONS LSOA 2011↔2021 lookup, and a transaction open on it:
// fixtures are inserted into the transaction, then Build runs in it.
func OpenWithReference(t testing.TB) *sql.Tx {
	t.Helper()
	db := Open(t)
	dir := t.TempDir()
	imd, err := refdata.Materialize(dir, "imd2019_lsoa11.csv")
	if err != nil {
		t.Fatal(err)
	}
	lookup, err := refdata.Materialize(dir, refdata.LookupFile)
	if err != nil {
		t.Fatal(err)
	}
	// one connection, so that the variables are where the statements run
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	Exec(t, conn, "SET VARIABLE modeltest_imd = ?", imd)
	Exec(t, conn, "SET VARIABLE modeltest_lookup = ?", lookup)
	Exec(t, conn, Query(t, "load_imd2019"))
	Exec(t, conn, Query(t, "load_lookup"))
	return Begin(t, db)
}

// Begin opens a transaction that the test's end rolls back.
func Begin(t testing.TB, db *sql.DB) *sql.Tx {
	t.Helper()
	tx, err := db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

// Query is the statement queries/name.sql of this package.
func Query(t testing.TB, name string) string {
	t.Helper()
	q, err := model.Statement(queries, name)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// Quote writes s as a SQL string literal.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Exec runs a statement or fails the test.
func Exec(t testing.TB, e Execer, q string, args ...any) {
	t.Helper()
	if _, err := e.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
}

// Params are the design's defaults with data_end 2025-01-01 (quarterly periods).
func Params() transforms.Params {
	return transforms.DefaultParams(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
}

// Build runs every model inside tx or fails the test.
func Build(t testing.TB, tx *sql.Tx, p transforms.Params) transforms.Result {
	t.Helper()
	res, err := transforms.Build(context.Background(), tx, p)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
