package pipeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/socrx/socrx/connectors"
)

// The checks that refuse a whole file once it is staged (US-order dates, NHS numbers) or
// loaded (too many rows quarantined).

// checkDateOrder refuses a file whose bad dates parse with day and month swapped: socrx
// never guesses US order.
func (in *ingester) checkDateOrder(ctx context.Context, path string, formats []string) error {
	q := connectors.USDateCheckSQL(formats)
	if q == "" {
		return nil
	}
	var line int64
	var col, val string
	err := in.tx.QueryRowContext(ctx, q).Scan(&line, &col, &val)
	if err == nil {
		return &connectors.FileError{Path: path, Line: int(line), Column: col,
			Reason: "dates parse only with day and month swapped (US order); socrx never guesses — fix the extract or its date_format"}
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: checking date order: %w", path, err)
	}
	return nil
}

// checkIdentifiers refuses a file in which an id column holds NHS numbers (design §3.1):
// every id column of the contract that the file has, by connectors.NHSNumberColumn.
func (in *ingester) checkIdentifiers(ctx context.Context, kind, path string, cols map[string]string) error {
	var ids []string
	for _, c := range connectors.Contract(kind) {
		if _, ok := cols[c.Name]; ok && c.ID {
			ids = append(ids, c.Name)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	start := time.Now()
	rows, err := in.tx.QueryContext(ctx, connectors.IdentifierCheckSQL(ids))
	if err != nil {
		return fmt.Errorf("%s: checking identifiers: %w", path, quiet(err))
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var ten, valid int64
		if err := rows.Scan(&c, &ten, &valid); err != nil {
			return fmt.Errorf("%s: checking identifiers: %w", path, quiet(err))
		}
		if connectors.NHSNumberColumn(valid, ten) {
			return &connectors.FileError{Path: path, Column: cols[c],
				Reason: fmt.Sprintf("holds NHS numbers (%d of %d distinct ten-digit values pass the modulus 11 check, as pseudonyms would with a chance below one in a million); extracts must be pseudonymised", valid, ten)}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: checking identifiers: %w", path, quiet(err))
	}
	in.log.Debug().Str("file", filepath.Base(path)).Str("statement", "checking identifiers").
		Int64("duration_ms", time.Since(start).Milliseconds()).Msg("ingest statement")
	return nil
}

// checkRejected fails a file with more than the allowed share of its rows quarantined: a
// wrong mapping or date format rejects most rows, and loading the rest would report on
// almost nothing. Attendances quarantined because their referral was are not the file's
// fault and are not counted. The message names the commonest reason and its column, and
// shows an example value only from a closed-set column (a code the values map may be
// missing), never from any other.
func (in *ingester) checkRejected(ctx context.Context, src source, fr *FileResult) error {
	rejected := fr.Rejected - fr.Reasons[connectors.ReasonReferralQuarantined]
	total := fr.Loaded + rejected
	if total == 0 || float64(rejected) <= in.maxRejected*float64(total) {
		return nil
	}
	var reason, column string
	var n int64
	if err := in.tx.QueryRowContext(ctx, sqlFile("quarantine/commonest_of_file"), fr.FileID, connectors.ReasonReferralQuarantined).
		Scan(&reason, &column, &n); err != nil {
		return fmt.Errorf("%s: reading quarantine: %w", fr.Path, err)
	}
	example := ""
	if closedSet(src.kind, column) {
		var v sql.NullString
		err := in.tx.QueryRowContext(ctx, sqlFile("quarantine/commonest_value"), fr.FileID, reason, column).Scan(&v)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: reading quarantine: %w", fr.Path, err)
		}
		if v.Valid {
			example = fmt.Sprintf(", e.g. %s", shortQuote(v.String))
		}
	}
	hint := "check the source's columns, values and date_format"
	if reason == connectors.ReasonBadDate {
		f, err := in.likelyDateFormat(ctx, fr.FileID, column)
		if err != nil {
			return fmt.Errorf("%s: reading quarantine: %w", fr.Path, err)
		}
		if f != "" {
			hint = fmt.Sprintf("most of them read as %s: is that the source's date_format?", f)
		}
	}
	return &connectors.FileError{Path: fr.Path, Column: column, Reason: fmt.Sprintf(
		"%d of %d rows quarantined, more than ingest.max_rejected_share (%g) allows; the commonest reason is %s (%d rows%s): "+
			"%s, then run again (nothing was loaded)",
		rejected, total, in.maxRejected, reason, n, example, hint)}
}

// likelyDateFormats are the date formats real extracts come in (design §3).
var likelyDateFormats = []string{"%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y", "%d %b %Y", "%d%b%Y", "%d/%m/%y", "%Y/%m/%d"}

// likelyDateFormat names the format under which most of a file's quarantined dates in a
// column parse, or "" when none does: the format, never a value.
func (in *ingester) likelyDateFormat(ctx context.Context, fileID int64, column string) (string, error) {
	var parts []string
	for _, f := range likelyDateFormats {
		parts = append(parts, fmt.Sprintf("count(*) FILTER (WHERE %s IS NOT NULL)", connectors.DateExpr(connectors.Clean("value"), []string{f})))
	}
	counts := make([]int64, len(likelyDateFormats)+1)
	ptrs := make([]any, len(counts))
	for i := range counts {
		ptrs[i] = &counts[i]
	}
	q := fmt.Sprintf(`SELECT count(*), %s FROM quarantine WHERE file_id = ? AND reason = ? AND "column" = ?`, strings.Join(parts, ", "))
	if err := in.tx.QueryRowContext(ctx, q, fileID, connectors.ReasonBadDate, column).Scan(ptrs...); err != nil {
		return "", err
	}
	best, bestN := "", int64(0)
	for i, f := range likelyDateFormats {
		if counts[i+1] > bestN {
			best, bestN = f, counts[i+1]
		}
	}
	if 2*bestN <= counts[0] {
		return "", nil
	}
	return best, nil
}

// closedSet says whether a column of a kind takes a closed set of codes: its values are
// codes, not data about a person, and an example helps to fix a values map.
func closedSet(kind, column string) bool {
	for _, c := range connectors.Contract(kind) {
		if c.Name == column {
			return c.Type == connectors.Enum
		}
	}
	return false
}

// shortQuote quotes a value for a message, cut to 32 characters and with control
// characters escaped.
func shortQuote(v string) string {
	r := []rune(v)
	if len(r) > 32 {
		return fmt.Sprintf("%q…", string(r[:32]))
	}
	return fmt.Sprintf("%q", strings.ToValidUTF8(v, "?"))
}
