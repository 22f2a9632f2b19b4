package reports

import (
	"encoding/csv"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/socrx/socrx/disclosure"
	"github.com/xuri/excelize/v2"
)

var (
	reCountCell = regexp.MustCompile(`<td class="n[^"]*">([^<]*)</td>`)
	reCountText = regexp.MustCompile(`<text [^>]*class="n"[^>]*>([^<]*)</text>`)
	reReading   = regexp.MustCompile(`<p class="reading">([^<]*)</p>`)

	// In a reading, a count of people or events is written "about N" (package readings);
	// every other number has one of these shapes, none of them a count of people.
	reAboutCount = regexp.MustCompile(`\babout ([0-9][0-9,]*)`)
	reNotCount   = regexp.MustCompile(`[0-9]+(\.[0-9]+)?%` + // shares
		`|[−-]?[0-9]+\.[0-9]+` + // statistics
		`|[0-9]{4}-[0-9]{2}(-[0-9]{2})?|[0-9]{4}-Q[0-9]` + // dates and periods
		`|[0-9]+(-day| days?\b| or more\b| sessions\b| contacts\b|th percentile)` + // windows, thresholds, caps
		`|\b(within|exactly|at|around|beyond|cap of|quintile|decile) [0-9]+\b|\bk [−+] 1\b` +
		`|fewer than [0-9]+ [a-z -]+ \([0-9]+\)|numerator 0\b` + // verdict reasons about strata, not people
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

// Scan walks every file under dir and checks each published count: CSV and XLSX columns
// named *_n, HTML table cells and SVG labels marked as counts (class "n"), and the counts
// quoted in every reading. A count between 1 and the threshold, or one that is not a
// multiple of the rounding base, is a problem. It is the
// independent check on disclosure control that the tests run over every output.
func Scan(dir string, p disclosure.Policy) (checked int, problems []string, err error) {
	check := func(where, v string) {
		checked++
		if err := p.CheckPublishedCount(v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
		}
	}
	read := func(where, s string) {
		checked++
		for _, pr := range checkReading(p, s) {
			problems = append(problems, fmt.Sprintf("%s: %s", where, pr))
		}
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".csv":
			return scanCSV(path, check, read)
		case ".xlsx":
			return scanXLSX(path, check, read)
		case ".html":
			b, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("scanning %s: %w", path, err)
			}
			for _, re := range []*regexp.Regexp{reCountCell, reCountText} {
				for _, m := range re.FindAllStringSubmatch(string(b), -1) {
					check(path, m[1])
				}
			}
			for _, m := range reReading.FindAllStringSubmatch(string(b), -1) {
				read(path, html.UnescapeString(m[1]))
			}
		}
		return nil
	})
	return checked, problems, err
}

func scanCSV(path string, check, read func(string, string)) error {
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
	for _, r := range recs[1:] {
		for j, h := range recs[0] {
			switch {
			case strings.HasSuffix(h, "_n"):
				check(path+" "+h, r[j])
			case h == "reading":
				read(path+" "+h, r[j])
			}
		}
	}
	return nil
}

func scanXLSX(path string, check, read func(string, string)) error {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return fmt.Errorf("scanning %s: %w", path, err)
	}
	defer f.Close()
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			return fmt.Errorf("scanning %s!%s: %w", path, sh, err)
		}
		if len(rows) == 0 {
			continue
		}
		for _, r := range rows[1:] {
			for j, h := range rows[0] {
				switch {
				case j >= len(r):
				case strings.HasSuffix(h, "_n"):
					check(path+" "+sh+"!"+h, r[j])
				case h == "reading":
					read(path+" "+sh+"!"+h, r[j])
				}
			}
		}
	}
	return nil
}
