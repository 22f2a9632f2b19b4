package transforms

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// applyComments runs sql/comments/*.sql (COMMENT ON statements for the marts), which
// must follow the CREATE OR REPLACE that drops earlier comments.
func applyComments(ctx context.Context, tx Execer) error {
	entries, err := fs.ReadDir(sqlFS, "sql/comments")
	if err != nil {
		return nil // no mart has comments yet
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := sqlFS.ReadFile(path.Join("sql/comments", n))
		if err != nil {
			return fmt.Errorf("reading %s: %w", n, err)
		}
		if _, err := tx.ExecContext(ctx, string(b)); err != nil {
			return fmt.Errorf("applying comments %s: %w", n, err)
		}
	}
	return nil
}
