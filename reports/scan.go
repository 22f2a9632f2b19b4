package reports

import (
	"encoding/csv"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/xuri/excelize/v2"
)

var (
	reCountCell = regexp.MustCompile(`<td class="n[^"]*">([^<]*)</td>`)
	reCountText = regexp.MustCompile(`<text [^>]*class="n"[^>]*>([^<]*)</text>`)
)

// Scan walks every file under dir and checks each published count: CSV and XLSX columns
// named *_n, HTML table cells and SVG labels marked as counts (class "n"). A count between
// 1 and 7, or one that is not a multiple of the rounding base, is a problem. It is the
// independent check on disclosure control that the tests run over every output.
func Scan(dir string, p Policy) (checked int, problems []string, err error) {
	check := func(where, v string) {
		checked++
		if err := p.CheckPublishedCount(v); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", where, err))
		}
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(path) {
		case ".csv":
			return scanCSV(path, check)
		case ".xlsx":
			return scanXLSX(path, check)
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
		}
		return nil
	})
	return checked, problems, err
}

func scanCSV(path string, check func(string, string)) error {
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
			if strings.HasSuffix(h, "_n") {
				check(path+" "+h, r[j])
			}
		}
	}
	return nil
}

func scanXLSX(path string, check func(string, string)) error {
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
				if strings.HasSuffix(h, "_n") && j < len(r) {
					check(path+" "+sh+"!"+h, r[j])
				}
			}
		}
	}
	return nil
}
