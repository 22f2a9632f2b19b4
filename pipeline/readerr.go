package pipeline

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/socrx/socrx/connectors"
)

// DuckDB's messages quote what they failed on: a value ("Could not convert string 'x'"),
// a whole record ("Original Line: ..."). A run's error goes to the log, the runs table,
// status and the next snapshot, so an error that came out of DuckDB while it read or
// changed extract rows is told in words of ours (readError) or with its quoted parts
// taken out (quiet).
//
// This is the one file that reads DuckDB's error text: the driver's *duckdb.Error has a
// Type, but the CSV reader's failures (a ragged row, an unclosed quote, bad UTF-8) all
// come as Invalid Input and differ only in their words. Where the type is enough, code
// asks it (stopped).

// quietError is a DuckDB error with the values it quoted taken out.
type quietError struct {
	msg string
	err error
}

func (e *quietError) Error() string { return e.msg }
func (e *quietError) Unwrap() error { return e.err }

var reQuoted = regexp.MustCompile(`'[^']*'?|"[^"]*"?`)

// quiet redacts a DuckDB error: its first line, cut before any quoted record, with every
// quoted part replaced by an ellipsis.
func quiet(err error) error {
	if err == nil {
		return nil
	}
	var q *quietError
	if errors.As(err, &q) {
		return err
	}
	msg := oneLine(err.Error())
	if i := strings.Index(strings.ToLower(msg), "original line"); i >= 0 {
		msg = msg[:i]
	}
	msg = reQuoted.ReplaceAllString(msg, "'…'")
	return &quietError{msg: strings.TrimSpace(msg), err: err}
}

// rawMessage is the unredacted text of a DuckDB error, to classify it (never to show).
func rawMessage(err error) string {
	var q *quietError
	if errors.As(err, &q) {
		return q.err.Error()
	}
	return err.Error()
}

var (
	csvErrLine  = regexp.MustCompile(`CSV Error on Line: (\d+)`)
	csvColumns  = regexp.MustCompile(`Expected Number of Columns: (\d+) Found: (\d+)`)
	duckErrKind = regexp.MustCompile(`^([A-Z][A-Za-z ]*Error):`)
)

// readError turns a DuckDB reader error into a one-line file error that names no value:
// known failures in words of ours, any other by DuckDB's kind of error only.
func readError(path string, err error) error {
	msg := rawMessage(err)
	line := 0
	if m := csvErrLine.FindStringSubmatch(msg); m != nil {
		fmt.Sscanf(m[1], "%d", &line)
	}
	var reason string
	switch {
	case strings.Contains(msg, "Invalid unicode") || strings.Contains(msg, "not utf-8"):
		reason = "not valid UTF-8; save the extract as UTF-8"
	case strings.Contains(msg, "Expected Number of Columns"):
		reason = "wrong number of fields"
		if m := csvColumns.FindStringSubmatch(msg); m != nil {
			reason = fmt.Sprintf("expected %s fields, found %s (a stray delimiter or unclosed quote?)", m[1], m[2])
		}
	case strings.Contains(msg, "Value with unterminated quote") || strings.Contains(msg, "unterminated quote"):
		reason = "unterminated quoted field"
	case strings.Contains(msg, "Maximum line size"):
		reason = "a record is longer than 4 MiB (unclosed quote?)"
	case strings.Contains(msg, "No such file") || strings.Contains(msg, "Cannot open file"):
		reason = "cannot be opened"
	default:
		kind := "an error"
		if m := duckErrKind.FindStringSubmatch(msg); m != nil {
			kind = "a DuckDB " + strings.ToLower(m[1])
		}
		reason = "could not be read (" + kind + "; its details are not shown because they may quote the file's rows)"
	}
	return &connectors.FileError{Path: path, Line: line, Reason: reason}
}
