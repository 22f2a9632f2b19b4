package reports

import (
	"encoding/csv"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/socrx/socrx/disclosure"
	"github.com/xuri/excelize/v2"
)

var (
	reCountCell = regexp.MustCompile(`<td class="n[^"]*">([^<]*)</td>`)
	reCountText = regexp.MustCompile(`<text [^>]*class="n"[^>]*>([^<]*)</text>`)
	reReading   = regexp.MustCompile(`<p class="reading">([^<]*)</p>`)

	// In a reading, a count of people or events is written "about N" ("About N" opening a
	// sentence; package readings); every other number has one of these shapes, none of
	// them a count of people.
	reAboutCount = regexp.MustCompile(`\b[Aa]bout ([0-9][0-9,]*)`)
	reNotCount   = regexp.MustCompile(`[0-9]+(\.[0-9]+)?%` + // shares
		`|[−-]?[0-9]+\.[0-9]+` + // statistics
		`|[0-9]{4}-[0-9]{2}(-[0-9]{2})?|[0-9]{4}-Q[0-9]` + // dates and periods
		`|[0-9]+(-day| days?\b| or more\b| sessions\b| contacts\b|th percentile)` + // windows, thresholds, caps
		`|\b(within|exactly|at|around|beyond|cap of|quintile|decile) [0-9]+\b|\bk [−+] 1\b` +
		`|fewer than [0-9]+ [a-z -]+ \([0-9]+\)|numerator 0\b` + // verdict reasons about strata, not people
		`|\bfewer than [0-9]+ pairs\b` + // the reliability rule of thumb for outcome pairs (design §11)
		`|\b[0-9]+ is the most common count` +
		`|\b[0-9]+ (of [0-9]+ )?practices\b|\b[0-9]+ more with counts` + // practices, not people
		`|per 1,000|\b[01] = (always|never)`)
	reNumber = regexp.MustCompile(`\b[0-9][0-9,]*\b`)
)

// checkReading returns what is wrong with a published reading: a count quoted as "about
// N" that the policy could not have published, or a number that is neither such a count
// nor one of the shapes that are not counts of people (a raw count in prose).
func checkReading(p disclosure.Policy, s string) []string {
	var out []string
	for _, m := range reAboutCount.FindAllStringSubmatch(s, -1) {
		if err := p.CheckPublishedCount(m[1]); err != nil {
			out = append(out, err.Error())
		}
	}
	rest := reNotCount.ReplaceAllString(reAboutCount.ReplaceAllString(s, ""), "")
	for _, n := range reNumber.FindAllString(rest, -1) {
		out = append(out, fmt.Sprintf("reading quotes %s, not marked as a published count: %s", n, s))
	}
	return out
}

// Scan walks every file under dir and checks each published count: CSV columns named
// *_n, workbook columns whose header carries the counts note ([note 1]; or *_n), HTML
// table cells and SVG labels marked as counts (class "n"), and the counts quoted in every
// reading. A count between 1 and the threshold, or one that is not a multiple of the
// rounding base, is a problem; so is a cell marked suppressed that holds a value. It is
// the independent check on disclosure control that the tests run over every output.
func Scan(dir string, p disclosure.Policy) (checked int, problems []string, err error) {
	s := &scanner{
		check: func(where, v string) {
			checked++
			if err := p.CheckPublishedCount(v); err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", where, err))
			}
		},
		read: func(where, s string) {
			checked++
			for _, pr := range checkReading(p, s) {
				problems = append(problems, fmt.Sprintf("%s: %s", where, pr))
			}
		},
		problem: func(where, msg string) { problems = append(problems, where+": "+msg) },
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".csv":
			return s.csv(path)
		case ".xlsx":
			return s.xlsx(path)
		case ".html":
			b, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("scanning %s: %w", path, err)
			}
			for _, re := range []*regexp.Regexp{reCountCell, reCountText} {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					s.check(path, m[1])
				}
			}
			for _, m := range reReading.FindAllStringSubmatch(string(b), -1) {
				s.read(path, html.UnescapeString(m[1]))
			}
		}
		return nil
	})
	return checked, problems, err
}

// scanner is what Scan does with each cell it finds.
type scanner struct {
	check   func(where, count string) // a published count
	read    func(where, reading string)
	problem func(where, msg string)
}

// csv checks a CSV file: every *_n column, and every column with a _suppressed flag,
// whose suppressed cells must be empty and whose flag must be true or false.
func (s *scanner) csv(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("scanning %s: %w", path, err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return fmt.Errorf("scanning %s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil
	}
	head := recs[0]
	flag := map[int]int{} // column → its _suppressed column
	for j, h := range head {
		for k, g := range head {
			if g == h+"_suppressed" {
				flag[j] = k
			}
		}
	}
	for i, r := range recs[1:] {
		for j, h := range head {
			where := fmt.Sprintf("%s line %d %s", path, i+2, h)
			v := r[j]
			if k, ok := flag[j]; ok {
				switch r[k] {
				case "true":
					if v != "" {
						s.problem(where, fmt.Sprintf("suppressed, yet holds %q", v))
					}
					v = "*"
				case "false":
				default:
					s.problem(where, fmt.Sprintf("%s is %q, not true or false", head[k], r[k]))
				}
			}
			switch {
			case isCountHeader(h):
				s.check(where, v)
			case isReadingHeader(h):
				s.read(where, v)
			}
		}
	}
	return nil
}

// xlsx checks a workbook: on each sheet, every Excel table's columns whose header marks a
// count or a reading, from the table's own header row (the GSS layout puts a title and a
// line above it). A sheet without a table is read from its first row with such a header.
// The shorthand [c] is a suppressed cell and [z] one without a value.
func (s *scanner) xlsx(path string) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return fmt.Errorf("scanning %s: %w", path, err)
	}
	defer f.Close()
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
		if err != nil {
			return fmt.Errorf("scanning %s!%s: %w", path, sh, err)
		}
		tables, err := f.GetTables(sh)
		if err != nil {
			return fmt.Errorf("scanning %s!%s: %w", path, sh, err)
		}
		var spans [][4]int // first column, header row, last column, last row (1-based)
		for _, t := range tables {
			from, to, _ := strings.Cut(t.Range, ":")
			c1, r1, err1 := excelize.CellNameToCoordinates(from)
			c2, r2, err2 := excelize.CellNameToCoordinates(to)
			if err := errors.Join(err1, err2); err != nil {
				return fmt.Errorf("scanning %s!%s table %s: %w", path, sh, t.Name, err)
			}
			spans = append(spans, [4]int{c1, r1, c2, r2})
		}
		if len(tables) == 0 {
			for i, r := range rows {
				if slices.ContainsFunc(r, func(h string) bool { return isCountHeader(h) || isReadingHeader(h) }) {
					spans = append(spans, [4]int{1, i + 1, len(r), len(rows)})
					break
				}
			}
		}
		for _, sp := range spans {
			s.xlsxTable(path+" "+sh, rows, sp)
		}
	}
	return nil
}

func (s *scanner) xlsxTable(where string, rows [][]string, sp [4]int) {
	cell := func(row, col int) string {
		if row-1 < len(rows) && col-1 < len(rows[row-1]) {
			return rows[row-1][col-1]
		}
		return ""
	}
	for col := sp[0]; col <= sp[2]; col++ {
		h := cell(sp[1], col)
		for row := sp[1] + 1; row <= sp[3]; row++ {
			name, _ := excelize.CoordinatesToCellName(col, row)
			v := cell(row, col)
			switch v {
			case shortSuppressed:
				v = "*"
			case shortNotApplicable:
				v = ""
			}
			switch {
			case isCountHeader(h):
				s.check(where+"!"+name+" "+h, v)
			case isReadingHeader(h):
				s.read(where+"!"+name+" "+h, v)
			}
		}
	}
}
