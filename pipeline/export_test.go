package pipeline_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/socrx/socrx/pipeline"
)

// TestExport writes core tables as Parquet and Arrow and reads them back: same row counts
// and types, and the unsuppressed notice in the metadata.
func TestExport(t *testing.T) {
	t.Parallel()
	f := baseline(t)
	db, err := pipeline.OpenDB(context.Background(), f.runner().DBPath(), pipeline.DBOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := t.TempDir()
	tables := []string{"referrals", "attendances", "deprivation", "ingested_files"}
	for _, format := range []string{"parquet", "arrow"} {
		res, err := pipeline.Export(context.Background(), db, tables, format, out, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			var want int64
			db.QueryRow("SELECT count(*) FROM " + r.Table).Scan(&want)
			if r.Rows != want {
				t.Errorf("%s %s: exported %d rows, table has %d", format, r.Table, r.Rows, want)
			}
		}
	}
	mem, _ := sql.Open("duckdb", "")
	defer mem.Close()
	var n int64
	var typ, notice string
	if err := mem.QueryRow(`SELECT count(*), any_value(typeof(referral_date)) FROM read_parquet(?)`, filepath.Join(out, "referrals.parquet")).Scan(&n, &typ); err != nil {
		t.Fatal(err)
	}
	if n != 4 || typ != "DATE" {
		t.Errorf("parquet referrals: %d rows, referral_date %s; want 4, DATE", n, typ)
	}
	if err := mem.QueryRow(`SELECT CAST(value AS VARCHAR) FROM parquet_kv_metadata(?) WHERE CAST(key AS VARCHAR) = 'socrx_notice'`, filepath.Join(out, "referrals.parquet")).Scan(&notice); err != nil || notice != pipeline.ExportNotice {
		t.Errorf("parquet notice %q (%v)", notice, err)
	}
	fh, err := os.Open(filepath.Join(out, "deprivation.arrow"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r, err := ipc.NewFileReader(fh, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows int64
	for i := 0; i < r.NumRecords(); i++ {
		rec, err := r.RecordBatch(i)
		if err != nil {
			t.Fatal(err)
		}
		rows += rec.NumRows()
	}
	if rows != 66599 {
		t.Errorf("arrow deprivation rows = %d, want 66599", rows)
	}
	sch := r.Schema()
	if f, _ := sch.FieldsByName("imd_rank"); len(f) != 1 || f[0].Type.ID() != arrow.INT32 {
		t.Errorf("imd_rank type %v", f)
	}
	if v, ok := sch.Metadata().GetValue("socrx_notice"); !ok || v != pipeline.ExportNotice {
		t.Errorf("arrow notice missing")
	}
}
