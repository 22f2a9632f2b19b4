package modeltest

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/socrx/socrx/transforms"
	"github.com/socrx/socrx/transforms/model"
)

// Timeline is a set of referrals and attendances, with registered population, whose
// dates are day offsets (see Day) so fixtures read as timelines.
type Timeline struct {
	Refs []Ref
	Atts []Att
	Pop  []Pop
}

// Ref is a referral; "" is NULL for the optional columns.
type Ref struct {
	ID, Person, Scheme, Practice string
	Day                          int    // referral date
	Source, Outcome              string // "" = NULL
	ClosedDay                    *int
	LSOA                         string // "" = NULL
}

// Att is an attendance.
type Att struct {
	Ref     string
	Day     int
	Setting string
	Status  string
	Worker  string // "" = NULL
}

// Pop is a population row, in LSOA E01000001.
type Pop struct {
	Extract  string // YYYY-MM-DD
	Practice string
	Sex      string
	Patients int
}

// Day is day d of the timeline, day 0 being 2024-01-01.
func Day(d int) string { return time.Date(2024, 1, 1+d, 0, 0, 0, 0, time.UTC).Format("2006-01-02") }

// Int points at i, for Ref.ClosedDay.
func Int(i int) *int { return &i }

// AddRef adds a referral; its person is the id, its scheme S1 and its practice A81001
// unless set.
func (f *Timeline) AddRef(r Ref) {
	if r.Person == "" {
		r.Person = "p-" + r.ID
	}
	if r.Scheme == "" {
		r.Scheme = "S1"
	}
	if r.Practice == "" {
		r.Practice = "A81001"
	}
	f.Refs = append(f.Refs, r)
}

// Contacts adds attended link-worker contacts on successive days from day, one per
// letter of workers ("." = no worker recorded).
func (f *Timeline) Contacts(ref string, day int, workers string) {
	for i, w := range workers {
		a := Att{Ref: ref, Day: day + i, Setting: "link_worker", Status: "attended"}
		if w != '.' {
			a.Worker = "W" + string(w)
		}
		f.Atts = append(f.Atts, a)
	}
}

// BuildTimeline loads the timeline into a fresh in-memory DuckDB with two IoD2019 areas
// (E01000001 in decile 1, quintile 1; E01000002 in decile 5, quintile 3) and runs Build
// in a transaction, which it returns still open so temp tables can be read.
func BuildTimeline(t testing.TB, f Timeline, p transforms.Params) *sql.Tx {
	t.Helper()
	ctx := context.Background()
	tx := Begin(t, Open(t))
	rows := make([][]any, 0, len(f.Refs))
	for _, r := range f.Refs {
		var closed any
		if r.ClosedDay != nil {
			closed = Day(*r.ClosedDay)
		}
		rows = append(rows, []any{r.ID, r.Person, r.Scheme, r.Practice, Day(r.Day), null(r.Source), null(r.Outcome), closed,
			null(r.LSOA)})
	}
	Exec(t, tx, Query(t, "timeline_tables"))
	if err := model.InsertRows(ctx, tx, "fx_ref", 9, rows); err != nil {
		t.Fatal(err)
	}
	rows = rows[:0]
	for i, a := range f.Atts {
		rows = append(rows, []any{fmt.Sprintf("a%06d", i), a.Ref, Day(a.Day), a.Setting, a.Status, null(a.Worker)})
	}
	if err := model.InsertRows(ctx, tx, "fx_att", 6, rows); err != nil {
		t.Fatal(err)
	}
	Exec(t, tx, Query(t, "timeline_load"))
	for _, pp := range f.Pop {
		Exec(t, tx, `INSERT INTO population (extract_date, practice_code, lsoa_code, sex, patients) VALUES (?, ?, 'E01000001', ?, ?)`,
			pp.Extract, pp.Practice, pp.Sex, pp.Patients)
	}
	Build(t, tx, p)
	return tx
}

func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// F points at f, for a wanted value that may be NULL (nil).
func F(f float64) *float64 { return &f }

// Approx says whether got is want (nil: NULL) within 5e-5, the precision worked values
// are quoted to.
func Approx(got sql.NullFloat64, want *float64) bool {
	if want == nil {
		return !got.Valid
	}
	return got.Valid && math.Abs(got.Float64-*want) < 5e-5
}

// FmtNF writes a nullable float for a message.
func FmtNF(a sql.NullFloat64) string {
	if !a.Valid {
		return "NULL"
	}
	return fmt.Sprintf("%.6f", a.Float64)
}

// FmtFP writes a wanted value (nil: NULL) for a message.
func FmtFP(f *float64) string {
	if f == nil {
		return "NULL"
	}
	return fmt.Sprintf("%.6f", *f)
}
