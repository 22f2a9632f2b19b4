package pipeline

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/socrx/socrx/transforms"
)

// TestMigrateComments: Migrate leaves a database with every comment the schema writes,
// as running the whole schema does, puts back one that differs, and takes every COMMENT
// ON of the schema as one it can skip when already set.
func TestMigrateComments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema, err := transforms.Schema()
	if err != nil {
		t.Fatal(err)
	}
	if _, comments := splitComments(schema); len(comments) != strings.Count(schema, "COMMENT ON") {
		t.Errorf("%d of the schema's %d COMMENT ON statements recognised", len(comments), strings.Count(schema, "COMMENT ON"))
	}
	whole, err := OpenDB(ctx, "", DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	if _, err := whole.ExecContext(ctx, schema); err != nil {
		t.Fatal(err)
	}
	want, err := currentComments(ctx, whole)
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenDB(ctx, "", DBOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, step := range []string{"a new database", "an up-to-date one", "a changed comment"} {
		if step == "a changed comment" {
			if _, err := db.ExecContext(ctx, `COMMENT ON COLUMN runs.status IS 'running | succeeded | failed | abandoned.'`); err != nil {
				t.Fatal(err)
			}
		}
		if err := Migrate(ctx, db); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		got, err := currentComments(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) < 100 || !maps.Equal(got, want) {
			t.Errorf("%s: %d comments after Migrate, want the schema's %d as written", step, len(got), len(want))
		}
	}
}
