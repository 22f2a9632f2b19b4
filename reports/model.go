package reports

import (
	"time"

	"github.com/socrx/socrx/disclosure"
)

// Column is one column of a published table. Name is the CSV/XLSX header: counts of
// people or events end in _n (design §6).
type Column struct {
	Name  string
	Label string // header as people read it (HTML)
	Kind  disclosure.Kind
}

// Table is one published table: the same cells go to HTML, XLSX and CSV.
type Table struct {
	Name    string // file and sheet name
	Title   string
	Note    string // what the rows are, shown under the HTML table
	Columns []Column
	Rows    [][]*disclosure.Cell
	// PerScheme tables have scheme_id first; a scheme's HTML report shows its own rows.
	PerScheme bool
}

// SchemeRows returns the rows of one scheme, without the scheme_id column.
func (t *Table) SchemeRows(id string) [][]*disclosure.Cell {
	if !t.PerScheme {
		return t.Rows
	}
	var out [][]*disclosure.Cell
	for _, r := range t.Rows {
		if r[0].Text == id {
			out = append(out, r[1:])
		}
	}
	return out
}

// HTMLColumns are the columns an HTML report shows.
func (t *Table) HTMLColumns() []Column {
	if t.PerScheme {
		return t.Columns[1:]
	}
	return t.Columns
}

// Scheme is one scheme of a report (ALL included).
type Scheme struct {
	ID, Name string
	// Platform is whether the period has platform data (referrals) for the scheme; a
	// GP-only period or scheme has the GP record alone
	Platform bool
}

// Provenance is where a report came from. RunTime is the only time a report shows.
type Provenance struct {
	RunID              int64
	CodeVersion        string
	RunTime            time.Time // the run record's start time
	LogicalDate        time.Time
	DataEnd            time.Time // where the marts' follow-up windows end (design §4)
	DeprivationEdition string
	Quantiles          string
	Fingerprint        string
	Files              []InputFile
	// Contact is who readers may contact about the report (config report_contact; empty
	// when none is configured). It travels with the provenance because it comes from the
	// run's configuration, as the edition and quantile basis do.
	Contact string
}

// InputFile is one extract the report rests on.
type InputFile struct {
	Kind, Source, Name, SHA256 string
}

// Report is everything published for one period: tables for every scheme, and the
// per-scheme figures drawn from them.
type Report struct {
	Period      string
	First, Last time.Time
	Policy      disclosure.Policy
	Schemes     []Scheme
	Tables      []*Table
	Prov        Provenance
	SessionTop  int64 // top-coded session count
	// Windows are each measure's follow-up window in days, as equity_strata has it.
	Windows map[string]int64
	byName  map[string]*Table
}

// Table returns a table by name (nil if absent).
func (r *Report) Table(name string) *Table { return r.byName[name] }

func (r *Report) add(t *Table) {
	r.Tables = append(r.Tables, t)
	if r.byName == nil {
		r.byName = map[string]*Table{}
	}
	r.byName[t.Name] = t
}
